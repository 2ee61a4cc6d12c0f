import FaultSync
#if canImport(Glibc)
import Glibc
#endif

/// The second fuzz target: the text-form parser (`faultsync encode`'s input). Any byte string
/// must give a schedule or a ScheduleParseError -- never a trap -- and a parsed schedule must
/// round-trip through its printed text and its bytes.
enum TextFuzz {
    /// nil when the input is fine; otherwise what went wrong.
    static func check(_ bytes: UnsafeRawBufferPointer) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let s = try? Schedule(text: text) else { return nil }   // a clear error is fine
        guard let again = try? Schedule(text: s.text) else { return "the printed text of a parsed schedule does not parse:\n\(s.text)" }
        if again != s { return "text round trip changed the schedule:\n\(s.text)" }
        if Schedule(bytes: s.bytes).events.count != s.events.count { return "byte round trip lost events:\n\(s.text)" }
        return nil
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func faultsyncTextFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if let why = TextFuzz.check(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)) {
        print("faultsync-text-fuzz: \(why)")
        fflush(stdout)
        abort()
    }
    return 0
}
#else
/// Without -DFUZZING: check the files given as arguments (exit 1 on the first failure).
@main
struct TextFuzzMain {
    static func main() {
        for path in CommandLine.arguments.dropFirst() where !path.hasPrefix("-") {
            guard let f = fopen(path, "rb") else { fputs("faultsync-text-fuzz: cannot read \(path)\n", stderr); exit(2) }
            var bytes: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buf.withUnsafeMutableBytes { fread($0.baseAddress, 1, 4096, f) }
                if n <= 0 { break }
                bytes += buf[0..<n]
            }
            fclose(f)
            if let why = bytes.withUnsafeBytes({ TextFuzz.check($0) }) { print("\(path): \(why)"); exit(1) }
        }
    }
}
#endif
