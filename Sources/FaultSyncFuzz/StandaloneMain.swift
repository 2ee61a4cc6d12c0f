import FaultSync
#if canImport(Glibc)
import Glibc
#endif

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
            let v = Checker.check(bytes, variant: fuzzVariant, config: fuzzConfig)
            if v.violation != nil {
                print(Report.text(for: bytes, variant: fuzzVariant, config: fuzzConfig, file: path, maxSteps: 40))
                status = 1
            }
        }
        exit(status)
    }

    static func readWholeFile(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        guard fseek(f, 0, SEEK_END) == 0 else { return nil }
        let n = ftell(f)
        guard n >= 0, fseek(f, 0, SEEK_SET) == 0 else { return nil }
        var out = [UInt8](repeating: 0, count: n)
        let got = out.withUnsafeMutableBytes { fread($0.baseAddress, 1, n, f) }
        return got == n ? out : nil
    }
}
#endif
