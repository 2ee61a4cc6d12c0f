import ArgumentParser
import FaultSync
import Foundation

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the text form of a byte schedule.")
    @Argument(help: "A byte schedule (fuzzer input or artifact).") var file: String
    @Option(name: .shortAndLong, help: "Write the text to this new file instead of stdout.") var output: String?
    @Flag(help: "Replace an existing output file.") var force = false

    func run() throws {
        let bytes = try readSchedule(file)
        let text = Schedule(bytes: bytes).text
        if let o = output { try writeNew(o, Data(text.utf8), inputs: [file], force: force) } else { print(text, terminator: "") }
    }
}

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Turn a text schedule into fuzzer bytes.")
    @Argument(help: "A text schedule.") var file: String
    @Option(name: .shortAndLong, help: "The new byte file to write.") var output: String
    @Flag(help: "Replace an existing output file.") var force = false

    func run() throws {
        guard !output.lowercased().hasSuffix(".txt") else {
            throw CLIError("\(output): encode writes fuzzer bytes; refusing a .txt name (use e.g. x.bin)")
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDir), !isDir.boolValue,
              let data = FileManager.default.contents(atPath: file) else { throw CLIError("\(file): cannot read a file there") }
        guard let text = String(data: data, encoding: .utf8) else { throw CLIError("\(file): not UTF-8 text") }
        let s: Schedule
        do { s = try Schedule(text: text) } catch let e as ScheduleParseError { throw CLIError("\(file):\(e)") }
        try writeNew(output, Data(s.bytes), inputs: [file], force: force)
        print("\(output): \(s.events.count) events, \(s.bytes.count) bytes")
    }
}

/// v1/v2 -> v3: the same schedules, re-encoded so that v3 reads them alike.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite format-v1, v2, v3 or v4 byte schedules as v\(ScheduleFormat.version) schedules with the same meaning (into new files).",
        discussion: "v2 gave meaning to the third byte of op-5 records, which v1 ignored (migrate zeroes it). v3 gave meaning to op-5 records whose third byte ends in 6 or 7 (v2: recover) and to bit 7 of a create's second byte (v2: part of the base gfn, reduced modulo the default world's 16 gfns); migrate re-encodes those. v4 gave meaning to bit 6 of the third byte of an op-5 punch-hole record (gmem-error), which v3 ignored; migrate clears it. v5 gave meaning to bit 3 of the third byte of an op-5 recover record (nx-recover) and bit 2 of the third byte of a fault record (exec), which v4 ignored; migrate clears them. Text schedules mean the same in every version and are copied. Inputs are never modified.")
    @Argument(help: "A byte schedule, or a directory of them.") var input: String
    @Option(name: .shortAndLong, help: "The new file (or, for a directory, the new directory) to write.") var output: String
    @Option(help: "The format the inputs are in: 1, 2, 3 or 4.") var from: Int = 1
    @Flag(help: "Replace existing output files.") var force = false

    func run() throws {
        guard (1...4).contains(from) else { throw CLIError("--from must be 1, 2, 3 or 4 (got \(from))") }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDir) else { throw CLIError("\(input): no such file") }
        var pairs: [(String, String)] = []
        if isDir.boolValue {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let names = try FileManager.default.contentsOfDirectory(atPath: input).sorted()
            pairs = names.map { (input + "/" + $0, output + "/" + $0) }
        } else {
            pairs = [(input, output)]
        }
        var changed = 0
        for (src, dst) in pairs {
            var d: ObjCBool = false
            if FileManager.default.fileExists(atPath: src, isDirectory: &d), d.boolValue { continue }
            guard let data = FileManager.default.contents(atPath: src) else { throw CLIError("\(src): cannot read") }
            let old = [UInt8](data)
            if looksLikeText(old) {
                try writeNew(dst, data, inputs: [src], force: force)   // text: same meaning in v1 and v2
                continue
            }
            var new = old
            if from <= 1 { new = FormatMigration.v1ToV2(new) }
            if from <= 2 { new = FormatMigration.v2ToV3(new) }
            if from <= 3 { new = FormatMigration.v3ToV4(new) }
            new = FormatMigration.v4ToV5(new)
            if new != old { changed += 1 }
            try writeNew(dst, Data(new), inputs: [src], force: force)
        }
        print("migrated \(pairs.count) file(s) to format v\(ScheduleFormat.version) in \(output); \(changed) byte schedule(s) changed bytes")
    }
}
