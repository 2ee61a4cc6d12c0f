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

/// libFuzzer calls this once before fuzzing: a bad FAULTSYNC_VARIANT exits 2 here, before any
/// input runs (an exit inside the test callback would be reported as a crash).
@_cdecl("LLVMFuzzerInitialize")
public func faultsyncFuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    _ = fuzzVariant
    return 0
}

/// libFuzzer entry point: decode, execute, check. A violation prints its report, then traps so
/// libFuzzer writes the input as an artifact.
@_cdecl("LLVMFuzzerTestOneInput")
public func faultsyncFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var o = NoObserver()
    let buf = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    let v = Checker.run(buf, variant: fuzzVariant, config: .default, observer: &o)
    if v.violation != nil {
        let bytes = Array(buf)
        print(Report.text(for: bytes, variant: fuzzVariant, config: .default, file: nil, maxSteps: 40))
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
