import FaultSync
#if FUZZING
import FaultSyncLibFuzzer
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The variant under test, from FAULTSYNC_VARIANT (inherited by libFuzzer's -fork children).
/// An unknown name is a usage error: exit 2 before fuzzing starts.
let fuzzVariant: Variant = {
    guard let p = getenv("FAULTSYNC_VARIANT") else { return .none }
    let name = String(cString: p)
    if name.isEmpty { return .none }
    guard let v = Variant.named(name) else {
        fputs("faultsync-fuzz: unknown FAULTSYNC_VARIANT '\(name)'; known: \(Variant.allCases.map(\.name).joined(separator: " "))\n", stderr)
        exit(2)
    }
    return v
}()

/// FAULTSYNC_BASELINE=1: fuzz the plain baseline kernel, without the candidate fixes for its
/// known findings. Default: baseline + fixes (the correct model).
let fuzzConfig: WorldConfig = {
    var c = WorldConfig()
    if let p = getenv("FAULTSYNC_BASELINE"), String(cString: p) == "1" { c.fixes = .none }
    // FAULTSYNC_GMEM_MMAP=1 / FAULTSYNC_MIRROR_TDP=1: the worlds of `faultsync --gmem-mmap` / `--mirror-tdp`.
    if let p = getenv("FAULTSYNC_GMEM_MMAP"), String(cString: p) == "1" { c.gmemMmap = true }
    if let p = getenv("FAULTSYNC_MIRROR_TDP"), String(cString: p) == "1" { c.mirrorTDP = true }
    if let p = getenv("FAULTSYNC_GMEM_INIT_SHARED"), String(cString: p) == "1" { c.gmemInitShared = true; c.gmemMmap = true }
    if let p = getenv("FAULTSYNC_NO_SLOT_ZAP_ALL"), String(cString: p) == "1" { c.zapAllOnSlotChange = false }
    // FAULTSYNC_NO_AD_BITS=1: the world of `faultsync --no-ad-bits`.
    if let p = getenv("FAULTSYNC_NO_AD_BITS"), String(cString: p) == "1" { c.adBits = false }
    return c
}()

/// Known findings already reported by this process (each is printed once).
var reportedFindings: UInt32 = 0

/// libFuzzer calls this once before fuzzing: a bad FAULTSYNC_VARIANT exits 2 here, before any
/// input runs (an exit inside the test callback would be reported as a crash).
@_cdecl("LLVMFuzzerInitialize")
public func faultsyncFuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    _ = fuzzVariant
    _ = fuzzConfig
    return 0
}

/// libFuzzer entry point: decode, execute, check. A violation prints its report, then traps so
/// libFuzzer writes the input as an artifact.
@_cdecl("LLVMFuzzerTestOneInput")
public func faultsyncFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let buf = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    let v = Checker.runUnobserved(buf, variant: fuzzVariant, config: fuzzConfig)
    if v.violation != nil {
        // On the plain baseline, a violation that a known finding's fix removes is that finding:
        // report it by name (once per process), do not crash; keep it out of the corpus (-1)
        // unless it was found only at quiescence (its input explored everything: a stepping stone).
        if fuzzConfig.fixes != .all, let f = Finding.quickClassify(v.violation!, config: fuzzConfig)
            ?? Finding.classify(Array(buf), variant: fuzzVariant, config: fuzzConfig) {
            if reportedFindings & (1 << UInt32(f.rawValue)) == 0 {
                reportedFindings |= 1 << UInt32(f.rawValue)
                let line = "faultsync: known finding \(f.name) (\(f.doc)): \(v.violation!.invariant.name); not reported as a crash\n"
                print(line, terminator: "")
                fflush(stdout)
                // -fork children's output is not kept: FAULTSYNC_KNOWN_LOG collects the notices.
                if let p = getenv("FAULTSYNC_KNOWN_LOG"), let fp = fopen(p, "a") {
                    fputs(line, fp)
                    fclose(fp)
                }
            }
            return f.atQuiescenceOnly ? 0 : -1
        }
        let bytes = Array(buf)
        print(Report.text(for: bytes, variant: fuzzVariant, config: fuzzConfig, file: artifactPath(bytes), maxSteps: 40))
        fflush(stdout)
        abort()
    }
    return 0
}

#if FUZZING
/// FAULTSYNC_MUTATOR=bytes hands every mutation to LLVMFuzzerMutate (to measure what records buy).
let recordMutations: Bool = {
    guard let p = getenv("FAULTSYNC_MUTATOR") else { return true }
    return String(cString: p) != "bytes"
}()

/// Schedule-aware mutations: whole events are inserted, erased, duplicated, swapped and appended,
/// so the 3-byte framing survives; part of the time libFuzzer's own mutations run instead.
@_cdecl("LLVMFuzzerCustomMutator")
public func faultsyncFuzzMutate(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: CUnsignedInt) -> Int {
    guard let data = data else { return 0 }
    // LLVMFuzzerMutate: libFuzzer's own byte-level mutations (dictionary, comparison operands, ...).
    if !recordMutations { return LLVMFuzzerMutate(data, size, maxSize) }
    return RecordMutator.mutate(data, size: size, maxSize: maxSize, seed: seed) { LLVMFuzzerMutate($0, $1, $2) }
}
#endif

/// Where libFuzzer will write this input's crash artifact: `-exact_artifact_path`, or
/// `-artifact_prefix` (default: the working directory) + "crash-" + the SHA-1 of the input.
func artifactPath(_ bytes: [UInt8]) -> String {
    var prefix = ""
    for arg in CommandLine.arguments {
        if arg.hasPrefix("-exact_artifact_path=") { return String(arg.dropFirst("-exact_artifact_path=".count)) }
        if arg.hasPrefix("-artifact_prefix=") { prefix = String(arg.dropFirst("-artifact_prefix=".count)) }
    }
    return prefix + "crash-" + SHA1.hex(bytes)
}

/// SHA-1 (FIPS 180-4), only to name the artifact the way libFuzzer does; runs once per crash.
enum SHA1 {
    static func hex(_ message: [UInt8]) -> String {
        var h: [UInt32] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
        var m = message
        let bitLen = UInt64(message.count) * 8
        m.append(0x80)
        while m.count % 64 != 56 { m.append(0) }
        for i in (0..<8).reversed() { m.append(UInt8(truncatingIfNeeded: bitLen >> (UInt64(i) * 8))) }
        var w = [UInt32](repeating: 0, count: 80)
        for chunk in stride(from: 0, to: m.count, by: 64) {
            for i in 0..<16 {
                w[i] = UInt32(m[chunk + 4 * i]) << 24 | UInt32(m[chunk + 4 * i + 1]) << 16
                    | UInt32(m[chunk + 4 * i + 2]) << 8 | UInt32(m[chunk + 4 * i + 3])
            }
            for i in 16..<80 { let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]; w[i] = x << 1 | x >> 31 }
            var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4]
            for i in 0..<80 {
                let (f, k): (UInt32, UInt32)
                switch i {
                case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A827999)
                case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9EBA1)
                case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1BBCDC)
                default: (f, k) = (b ^ c ^ d, 0xCA62C1D6)
                }
                let t = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[i]
                e = d; d = c; c = b << 30 | b >> 2; b = a; a = t
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d; h[4] = h[4] &+ e
        }
        return h.map { v in (0..<8).map { String("0123456789abcdef"[String.Index(utf16Offset: Int((v >> (28 - 4 * UInt32($0))) & 15), in: "0123456789abcdef")]) }.joined() }.joined()
    }
}
