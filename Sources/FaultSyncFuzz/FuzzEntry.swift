import FaultSync
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

#if !FUZZING
/// Without -DFUZZING (plain `swift build`), replay the files given as arguments the way a
/// libFuzzer binary does: exit 0 if none violates, 1 on the first violation, 2 on I/O errors.
@main
struct StandaloneFuzzMain {
    static func main() {
        var status: Int32 = 0
        for path in CommandLine.arguments.dropFirst() where !path.hasPrefix("-") {
            guard let bytes = readWholeFile(path) else {
                fputs("faultsync-fuzz: cannot read \(path)\n", stderr); exit(2)
            }
            let v = Checker.check(bytes, variant: fuzzVariant)
            if v.violation != nil {
                print(Report.text(for: bytes, variant: fuzzVariant, config: .default, file: path, maxSteps: 40))
                status = 1
            }
        }
        exit(status)
    }

    static func readWholeFile(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n > 0 { out.append(contentsOf: buf[0..<n]) }
            if n < buf.count { return ferror(f) != 0 ? nil : out }
        }
    }
}
#endif
