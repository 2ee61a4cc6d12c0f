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

/// v1..v6 -> v7: the same schedules, re-encoded so that v7 reads them alike.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite format-v1 to v6 schedules (bytes or text) as v\(ScheduleFormat.version) schedules with the same meaning (into new files).",
        discussion: "v2 gave meaning to the third byte of op-5 records, which v1 ignored (migrate zeroes it). v3 gave meaning to op-5 records whose third byte ends in 6 or 7 (v2: recover) and to bit 7 of a create's second byte (v2: part of the base gfn, reduced modulo the default world's 16 gfns); migrate re-encodes those. v4 gave meaning to bit 6 of the third byte of an op-5 punch-hole record (gmem-error), which v3 ignored; migrate clears it. v5 gave meaning to bit 3 of the third byte of an op-5 recover record (nx-recover) and bit 2 of the third byte of a fault record (exec), which v4 ignored; migrate clears them. v6 runs the NX recovery thread's passes on an actor of its own (nxrec, actor 12) instead of the nx_huge_pages toggle's (nx, 7): which of the two a v5 `step nx` stepped depends on the run, so migrate runs each schedule, in the world and under the variant given here (give the ones it was made for), and moves those steps to nxrec, drops a toggle or recovery start that v5 refused because the other was running, and drops steps of actor 12 (no actor under v5). v7 gave meaning to bit 3 of the third byte of an op-5 nx_huge_pages toggle record (page aging), which v6 ignored; migrate clears it. Text schedules meant the same from v1 to v5, and v6 text is v7 text; a text's version is its first line's (`# faultsync schedule vN`), else 6 if it names nxrec, else --from. A migrated byte file keeps the bytes of the records it keeps; a migrated text keeps its comments. Inputs are never modified.")
    @OptionGroup var v: VariantOption
    @Argument(help: "A schedule, or a directory of them.") var input: String
    @Option(name: .shortAndLong, help: "The new file (or, for a directory, the new directory) to write.") var output: String
    @Option(help: "The format the byte inputs are in (and text inputs without a version line that do not name nxrec): 1 to 6. A byte file already in v6 given --from 5 loses its nxrec steps; one already in v7 given --from 6 reads its age records as nx-toggle.") var from: Int = 1
    @Flag(help: "Replace existing output files.") var force = false

    func run() throws {
        guard (1...6).contains(from) else { throw CLIError("--from must be 1, 2, 3, 4, 5 or 6 (got \(from))") }
        let variant = try v.resolve()
        let config = v.config
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
                guard let text = String(data: data, encoding: .utf8) else { throw CLIError("\(src): not UTF-8 text") }
                let s: Schedule
                do { s = try Schedule(text: text, geometry: Geometry(config)) } catch let e as ScheduleParseError {
                    throw CLIError("\(src):\(e.line):\(e.column): error: \(e.message)")
                }
                // A text that names nxrec was written for v6 whatever --from says.
                let namesNxrec = s.events.contains { $0.kind == .step && $0.x == 12 }
                let version = Schedule.declaredVersion(Substring(text)) ?? (namesNxrec ? 6 : from)
                if version >= 6 || !s.mayMeanOtherwise(since: version) {
                    try writeNew(dst, data, inputs: [src], force: force)   // the same meaning in v6 and v7
                    continue
                }
                // Line by line (one event per line that is not blank or a comment), comments kept.
                var acts = FormatMigration.v5ToV6Actions(s, variant: variant, config: config)[...]
                // v5 read 128 events; once one is dropped, later ones would move into v6's window.
                let shifts = acts.contains(.drop)
                var out = Schedule.header + "\n# migrated from format v\(version) by faultsync migrate (world:\(v.worldFlags.isEmpty ? " default" : v.worldFlags), variant \(variant.name))\n"
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                for (i, line) in lines.enumerated() {
                    if i == lines.count - 1 && line.isEmpty { break }
                    let code = line.prefix(while: { $0 != "#" })
                    if code.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) {
                        if !line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("# faultsync schedule v") { out += line + "\n" }
                        continue
                    }
                    guard let act = acts.popFirst() else {
                        out += (shifts ? "# (migrate: past the \(ScheduleFormat.maxEvents) events format v\(version) reads) " : "") + line + "\n"
                        continue
                    }
                    switch act {
                    case .keep: out += line + "\n"
                    case .drop: out += "# (migrate: no effect under v\(version), dropped) " + line + "\n"
                    case .toRecoveryActor:
                        let indent = line.prefix(while: { $0 == " " || $0 == "\t" })
                        let words = code.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
                        let comment = line.dropFirst(code.count)
                        let stepText = indent + "step nxrec" + (words.count > 2 ? " " + words[2] : "")
                        // The comment stays in its column where the new words fit before it.
                        let pad = comment.isEmpty ? "" : String(repeating: " ", count: max(1, code.count - stepText.count))
                        out += stepText + pad + comment + "\n"
                    }
                }
                changed += 1
                try writeNew(dst, Data(out.utf8), inputs: [src], force: force)
                continue
            }
            var new = old
            if from <= 1 { new = FormatMigration.v1ToV2(new) }
            if from <= 2 { new = FormatMigration.v2ToV3(new) }
            if from <= 3 { new = FormatMigration.v3ToV4(new) }
            if from <= 4 { new = FormatMigration.v4ToV5(new) }
            let g = Geometry(config)
            let s5 = Schedule(bytes: FormatMigration.v6ToV7(new), geometry: g)
            if from <= 5 && s5.mayMeanOtherwise(since: 5) {
                // Record by record: the kept records keep their bytes (decoding reduces values to
                // the world's geometry; the bytes mean the same in every world only as they are).
                let acts = FormatMigration.v5ToV6Actions(s5, variant: variant, config: config)
                var out: [UInt8] = []
                for (k, act) in acts.enumerated() {
                    switch act {
                    case .keep: out += new[(3 * k)..<(3 * k + 3)]
                    case .drop: continue
                    case .toRecoveryActor:
                        let (o, x, y) = ScheduleFormat.encode(Event(kind: .step, x: 12, y: s5.events[k].y))
                        out += [o, x, y]
                    }
                }
                // Past the 128th record (and a partial one) nothing is read; kept unless a drop
                // would move records into v6's window.
                if !acts.contains(.drop) { out += new[(3 * acts.count)...] }
                new = out
            }
            new = FormatMigration.v6ToV7(new)
            if new != old { changed += 1 }
            try writeNew(dst, Data(new), inputs: [src], force: force)
        }
        print("migrated \(pairs.count) file(s) to format v\(ScheduleFormat.version) in \(output); \(changed) schedule(s) changed")
    }
}
