import ArgumentParser
import FaultSync
import Foundation

/// Exit codes: 0 no violation, 1 violation found, 2 usage or I/O error.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

struct FaultSyncCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faultsync",
        abstract: "Replay, trace, convert and minimize faultsync schedules over the KVM fault-synchronization model.",
        discussion: "Model of \(KernelBaseline.description). Exit status: 0 no violation, 1 violation found, 2 usage or I/O error. Inputs are never modified.",
        version: "faultsync (model of \(KernelBaseline.description); schedule format v\(ScheduleFormat.version))",
        subcommands: [Replay.self, Trace.self, Decode.self, Encode.self, Migrate.self, Variants.self, Findings.self,
                      Minimize.self, RandomSearch.self, Steps.self, Check.self]
    )
}

struct VariantOption: ParsableArguments {
    @Option(name: .long, help: "Bug variant to run: \(Variant.allCases.map(\.name).joined(separator: ", ")); default: none, the correct model. `replay` also takes `auto`: the variant of corpus/regressions/<variant>/, or the one a text twin's \"# minimized: ... under variant V\" line names.")
    var variant: String = "none"

    @Flag(name: .long, help: "Run the plain baseline kernel (\(KernelBaseline.description)) without the candidate fixes for its known findings (see `faultsync findings`). Default: baseline + those fixes, the correct model.")
    var baseline = false

    var config: WorldConfig {
        var c = WorldConfig()
        c.fixes = baseline ? .none : .all
        return c
    }
    var kernel: String { baseline ? "plain baseline" : "baseline + fixes" }

    func resolve() throws -> Variant {
        guard let v = Variant.named(variant) else {
            let names = Variant.allCases.map(\.name)
            let hint = didYouMean(variant, names, maxDistance: 3)
            throw CLIError("unknown variant '\(variant)'\(hint) (known: \(names.joined(separator: ", ")))")
        }
        return v
    }

    /// `--variant auto` for one file: the directory name under corpus/regressions/, else the
    /// variant the text twin's "# minimized: ... under variant V" line names, else none.
    static func inferred(for path: String) -> Variant {
        let parts = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        if let i = parts.lastIndex(of: "regressions"), i + 1 < parts.count - 1, let v = Variant.named(parts[i + 1]) { return v }
        let twin = path.hasSuffix(".bin") ? String(path.dropLast(4)) + ".txt" : path
        if let t = try? String(contentsOfFile: twin, encoding: .utf8),
           let r = t.range(of: "under variant ") {
            let name = t[r.upperBound...].prefix { !$0.isWhitespace }
            if let v = Variant.named(String(name)) { return v }
        }
        return .none
    }
}

/// Whether a file's content is the text form: the `# faultsync schedule` header, or printable
/// text whose first word is an event (text is recognised by its content, not by its name).
func looksLikeText(_ b: [UInt8]) -> Bool {
    guard !b.isEmpty, b.allSatisfy({ $0 == 9 || $0 == 10 || $0 == 13 || ($0 >= 32 && $0 < 127) }),
          let s = String(bytes: b, encoding: .utf8) else { return false }
    if s.hasPrefix("# faultsync schedule") { return true }
    for line in s.split(separator: "\n") {
        let t = line.drop(while: { $0 == " " || $0 == "\t" })
        if t.isEmpty || t.hasPrefix("#") { continue }
        let verb = t.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).first.map(String.init) ?? ""
        return Schedule.verbs.contains(verb)
    }
    return true   // only comments and blank lines: an empty text schedule
}

/// Read a schedule file: the text form if its content is text (see `looksLikeText`), else raw
/// fuzzer bytes.
func readSchedule(_ path: String) throws -> [UInt8] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw CLIError("\(path): no such file")
    }
    if isDir.boolValue { throw CLIError("\(path): is a directory (give the files inside it)") }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CLIError("\(path): cannot read")
    }
    let raw = [UInt8](data)
    if looksLikeText(raw) || path.lowercased().hasSuffix(".txt") {
        guard let text = String(data: data, encoding: .utf8) else { throw CLIError("\(path): not UTF-8 text") }
        do { return try Schedule(text: text).bytes } catch let e as ScheduleParseError {
            throw CLIError("\(path):\(e.line):\(e.column): error: \(e.message)")
        }
    }
    return raw
}

/// Write a new file; refuse to overwrite an input or an existing file unless `force`.
/// Expand directories (recursively) into their schedule files, sorted; a text twin `X.txt` next
/// to `X.bin` is skipped (the same schedule); `.md` notes and `.log` files are not schedules.
func expandSchedules(_ paths: [String]) throws -> [String] {
    var out: [String] = []
    for p in paths {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { out.append(p); continue }
        guard isDir.boolValue else { out.append(p); continue }
        guard let e = FileManager.default.enumerator(atPath: p) else { throw CLIError("\(p): cannot list") }
        var files: [String] = []
        for case let rel as String in e {
            let full = (p as NSString).appendingPathComponent(rel)
            var d: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &d), d.boolValue { continue }
            if rel.hasSuffix(".md") || rel.hasSuffix(".log") || rel.hasPrefix(".") { continue }
            files.append(full)
        }
        let set = Set(files)
        out += files.sorted().filter { !($0.hasSuffix(".txt") && set.contains(String($0.dropLast(4)) + ".bin")) }
    }
    return out
}

func writeNew(_ path: String, _ data: Data, inputs: [String], force: Bool) throws {
    let target = URL(fileURLWithPath: path).standardizedFileURL.path
    for i in inputs where URL(fileURLWithPath: i).standardizedFileURL.path == target {
        throw CLIError("\(path): refusing to overwrite the input file")
    }
    if FileManager.default.fileExists(atPath: path) && !force {
        throw CLIError("\(path): exists (use --force to replace it)")
    }
    guard FileManager.default.createFile(atPath: path, contents: data) else {
        throw CLIError("\(path): cannot write")
    }
}

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Replay schedule files; report the first violation of each.")
    @OptionGroup var v: VariantOption
    @Flag(name: .long, help: "Print only the verdict line per file.") var quiet = false
    @Flag(help: "One JSON object per file on stdout (schema: docs/json.md).") var json = false
    @Argument(help: "Schedule files or directories (recursively; a .txt twin of a .bin is skipped). Text is recognised by its content.") var files: [String]

    func run() throws {
        let auto = v.variant == "auto"
        let fixed = auto ? Variant.none : try v.resolve()
        guard !files.isEmpty else { throw CLIError("replay needs at least one file") }
        let paths = try expandSchedules(files)
        guard !paths.isEmpty else { throw CLIError("no schedule files in \(files.joined(separator: " "))") }
        var found = false
        var bad = 0
        for path in paths {
            let bytes: [UInt8]
            do { bytes = try readSchedule(path) } catch let e as CLIError {
                FileHandle.standardError.write(Data("faultsync: \(e)\n".utf8))
                if json { try printJSON(ReplayJSON(file: path, verdict: "error", kernel: v.kernel, error: e.description)) }
                bad += 1
                continue
            }
            let variant = auto ? VariantOption.inferred(for: path) : fixed
            let verdict = Checker.check(bytes, variant: variant, config: v.config)
            if json {
                let known = verdict.violation != nil && v.baseline ? Finding.classify(bytes, variant: variant, config: v.config) : nil
                try printJSON(ReplayJSON(file: path, verdict: verdict.violation == nil ? "ok" : "violation", variant: variant.name,
                                         kernel: v.kernel, events: verdict.events, steps: verdict.steps,
                                         violation: verdict.violation.map(ViolationJSON.init), knownFinding: known?.name))
                if verdict.violation != nil { found = true }
                continue
            }
            if let x = verdict.violation {
                found = true
                let known = v.baseline ? Finding.classify(bytes, variant: variant, config: v.config) : nil
                let tag = known.map { " (known finding \($0.name), \($0.doc))" } ?? ""
                if quiet {
                    print("\(path): VIOLATION \(x.invariant.name) under \(variant.name)\(tag)")
                } else {
                    print("\(path):\(tag)")
                    print(Report.text(for: bytes, variant: variant, config: v.config, file: path, maxSteps: 30))
                }
            } else {
                print("\(path): ok (\(verdict.events) events, \(verdict.steps) steps, variant \(variant.name))")
            }
        }
        if bad > 0 {
            FileHandle.standardError.write(Data("faultsync: \(bad) of \(paths.count) file(s) could not be read\n".utf8))
            throw ExitCode(2)
        }
        if found { throw ExitCode(1) }
    }
}

struct Trace: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the whole interleaving with kernel step names and the state each step changed.")
    @OptionGroup var v: VariantOption
    @Argument(help: "A schedule file.") var file: String
    @Option(help: "Show only the last N lines of the interleaving.") var last: Int?
    @Flag(help: "The trace as one JSON object on stdout (schema: docs/json.md).") var json = false
    @Flag(help: "One column per actor (kernel step labels and names, cut to --width).") var lanes = false
    @Option(help: "Column width for --lanes.") var width: Int = 22
    @Option(help: "Write a self-contained HTML page (one lane per actor, racing steps highlighted, the state at the violating step) to this new file.") var html: String?
    @Flag(help: "Replace an existing --html file.") var force = false

    func run() throws {
        let variant = try v.resolve()
        if let n = last, n < 1 { throw CLIError("--last must be at least 1") }
        let bytes = try readSchedule(file)
        if json {
            let (verdict, raw) = Report.trace(bytes, variant: variant, config: v.config)
            var lines = Report.fold(raw).map(TraceLineJSON.init)
            if let n = last, lines.count > n { lines = Array(lines.suffix(n)) }
            try printJSON(TraceJSON(file: file, variant: variant.name, kernel: v.kernel,
                                    violation: verdict.violation.map(ViolationJSON.init), events: verdict.events,
                                    steps: verdict.steps, trace: lines))
            if verdict.violation != nil { throw ExitCode(1) }
            return
        }
        if let out = html {
            let page = HTMLTrace.page(bytes: bytes, file: file, variant: variant, config: v.config, kernel: v.kernel)
            try writeNew(out, Data(page.utf8), inputs: [file], force: force)
            let verdict = Checker.check(bytes, variant: variant, config: v.config)
            print("wrote \(out) (\(verdict.steps) steps; \(verdict.violation.map { "VIOLATION \($0.invariant.name)" } ?? "no violation"))")
            if verdict.violation != nil { throw ExitCode(1) }
            return
        }
        if lanes {
            print(Report.lanes(for: bytes, variant: variant, config: v.config, width: width, maxSteps: last), terminator: "")
            if Checker.check(bytes, variant: variant, config: v.config).violation != nil { throw ExitCode(1) }
            return
        }
        print(Report.text(for: bytes, variant: variant, config: v.config, file: file, maxSteps: last), terminator: "")
        if Checker.check(bytes, variant: variant, config: v.config).violation != nil { throw ExitCode(1) }
    }
}

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

/// v1 -> v2: the same schedules, with the byte v1 ignored zeroed so that v2 reads them alike.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite format-v1 byte schedules as v2 schedules with the same meaning (into new files).",
        discussion: "v2 gave meaning to the third byte of op-5 records, which v1 ignored; migrate zeroes it. Text schedules mean the same in v1 and v2 and need no migration. Inputs are never modified.")
    @Argument(help: "A v1 byte schedule, or a directory of them.") var input: String
    @Option(name: .shortAndLong, help: "The new file (or, for a directory, the new directory) to write.") var output: String
    @Flag(help: "Replace existing output files.") var force = false

    func run() throws {
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
            let new = FormatMigration.v1ToV2(old)
            if new != old { changed += 1 }
            try writeNew(dst, Data(new), inputs: [src], force: force)
        }
        print("migrated \(pairs.count) file(s) to format v\(ScheduleFormat.version) in \(output); \(changed) byte schedule(s) had ignored bytes zeroed")
    }
}

struct Findings: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the known findings: where the baseline kernel itself violates an oracle, and the candidate fix the model can switch on.")
    func run() throws {
        print("baseline: \(KernelBaseline.description)")
        for (f, c) in KernelBaseline.files { print("    \(f): \(c)") }
        for f in Finding.allCases {
            print("\(f.name)\n    what:  \(f.summary)\n    fix:   \(f.fix)\n    doc:   \(f.doc)\n    corpus: corpus/findings/\(f.name)/")
        }
    }
}

struct Variants: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the bug variants: name, what it breaks, the invariant it must violate.",
                                                    discussion: "Variants apply on top of the model of \(KernelBaseline.description) with the fixes for its known findings.")
    func run() throws {
        for v in Variant.allCases {
            let inv = v.violates.isEmpty ? "-" : v.violates.map { "\($0.name) (\($0.label))" }.joined(separator: ", also ")
            print("\(v.name)\n    breaks:   \(v.breaks)\n    origin:   \(v.origin)\n    violates: \(inv)")
        }
    }
}

@main
struct Entry {
    static func main() {
        do {
            var cmd = try FaultSyncCLI.parseAsRoot()
            try cmd.run()
        } catch let e as ExitCode {
            exit(e.rawValue)
        } catch let e as CLIError {
            FileHandle.standardError.write(Data("faultsync: \(e)\n".utf8))
            exit(2)
        } catch {
            if FaultSyncCLI.exitCode(for: error) == .success {
                print(FaultSyncCLI.fullMessage(for: error))
                exit(0)
            }
            FileHandle.standardError.write(Data((FaultSyncCLI.fullMessage(for: error) + "\n").utf8))
            exit(2)
        }
    }
}

struct Minimize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Shrink a violating schedule, keeping the same invariant violated.",
        discussion: "Writes OUT (bytes) and its text twin (OUT with .bin replaced by .txt, else OUT.txt); the input is never touched.")
    @OptionGroup var v: VariantOption
    @Argument(help: "A violating schedule.") var file: String
    @Option(name: .shortAndLong, help: "The new byte file to write (its text twin goes to OUT.txt).") var output: String
    @Flag(help: "Replace existing output files.") var force = false
    @Flag(help: "Skip the last pass: the exhaustive checker's shortest schedule over the minimized operations (same invariant; budget 3M states / 30 s).") var noChecker = false

    func run() throws {
        let variant = try v.resolve()
        guard !output.lowercased().hasSuffix(".txt") else {
            throw CLIError("\(output): -o names the byte file; the text twin is written beside it (use e.g. min.bin)")
        }
        let bytes = try readSchedule(file)
        let s = Schedule(bytes: bytes)
        guard let inv = Checker.check(bytes, variant: variant, config: v.config).violation?.invariant,
              var m = Minimizer.minimize(s, variant: variant, config: v.config) else {
            throw CLIError("\(file): no violation under variant \(variant.name); nothing to minimize")
        }
        let before = Minimizer.length(m, variant: variant, config: v.config)
        var how = "delta debugging"
        if !noChecker, let c = Minimizer.shortest(m, variant: variant, config: v.config, inv: inv) {
            how = "delta debugging, then the checker's shortest over its operations (\(before) -> \(Minimizer.length(c, variant: variant, config: v.config)) transitions)"
            m = c
        }
        try writeNew(output, Data(m.bytes), inputs: [file], force: force)
        let twin = output.hasSuffix(".bin") ? String(output.dropLast(4)) + ".txt" : output + ".txt"
        try writeNew(twin, Data(("# minimized: \(inv.name) under variant \(variant.name)\(v.baseline ? " --baseline" : "")\n" + m.text).utf8),
                     inputs: [file], force: force)
        print("minimized \(file): \(s.events.count) -> \(m.events.count) events, \(Minimizer.length(m, variant: variant, config: v.config)) transitions, still \(inv.name) under \(variant.name) (\(how))")
        print("wrote \(output) and \(twin)")
    }
}

/// The unguided baseline: uniformly random byte strings through the same decoder and model,
/// no coverage feedback. Prints executions and seconds to the first violation.
struct RandomSearch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "random",
        abstract: "Unguided search: uniformly random inputs until a violation (baseline for scripts/bench-detect).")
    @OptionGroup var v: VariantOption
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Maximum input length in bytes (lengths are uniform in 0...max).") var maxLen: Int = 384
    @Option(help: "Time budget in seconds.") var time: Double = 60
    @Option(name: .shortAndLong, help: "Write the first violating input to this new file.") var output: String?
    enum Engine: String, ExpressibleByArgument, CaseIterable { case uniform, pct }
    @Option(help: "uniform: random bytes; pct: PCT-style priority scheduler producing schedules.") var engine: Engine = .uniform
    @Option(help: "PCT depth (priority change points + 1).") var depth: Int = 3
    @Flag(help: "One JSON object on stdout (schema: docs/json.md).") var json = false

    /// Print the outcome (text or JSON).
    func report(_ x: Violation?, _ execs: Int, _ secs: Double, _ variant: Variant) throws {
        if json {
            try printJSON(RandomJSON(engine: engine.rawValue, seed: seed, variant: variant.name, kernel: v.kernel,
                                     found: x != nil, executions: execs, seconds: secs,
                                     violation: x.map(ViolationJSON.init), output: x == nil ? nil : output))
        } else if let x = x {
            print("found \(x.invariant.name) after \(execs) execs in \(String(format: "%.3f", secs)) s")
        } else {
            print("not found after \(execs) execs in \(String(format: "%.3f", secs)) s")
        }
    }

    func run() throws {
        let variant = try v.resolve()
        guard maxLen >= 0, time > 0 else { throw CLIError("--max-len must be >= 0 and --time > 0") }
        if engine == .pct {
            var pct = PCTScheduler(seed: seed, depth: depth, maxEvents: max(1, maxLen / ScheduleFormat.recordSize))
            let start = DispatchTime.now().uptimeNanoseconds
            var execs = 0
            while true {
                let input = pct.schedule(variant: variant).bytes
                execs += 1
                let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if let x = Checker.check(input, variant: variant, config: v.config).violation {
                    if let o = output { try writeNew(o, Data(input), inputs: [], force: false) }
                    try report(x, execs, secs, variant)
                    throw ExitCode(1)
                }
                if secs >= time {
                    try report(nil, execs, secs, variant)
                    return
                }
            }
        }
        var rng = SplitMix64(stream: seed)
        func next() -> UInt64 { rng.next() }
        let start = DispatchTime.now().uptimeNanoseconds
        var execs = 0
        var buf = [UInt8](repeating: 0, count: maxLen)
        while true {
            let n = Int(next() % UInt64(maxLen + 1))
            for i in 0..<n { buf[i] = UInt8(truncatingIfNeeded: next()) }
            let input = Array(buf[0..<n])
            execs += 1
            if let x = Checker.check(input, variant: variant, config: v.config).violation {
                let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if let o = output { try writeNew(o, Data(input), inputs: [], force: false) }
                try report(x, execs, secs, variant)
                throw ExitCode(1)
            }
            if execs % 256 == 0 {
                let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if secs >= time {
                    try report(nil, execs, secs, variant)
                    return
                }
            }
        }
    }
}

/// Which kernel steps a corpus reaches, and how often (the step-level coverage table).
struct Steps: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count the kernel steps (per actor, per step label) that schedule files or directories reach.")
    @OptionGroup var v: VariantOption
    @Flag(help: "Only list the steps never reached (exit 1 if there are any).") var gaps = false
    @Argument(help: "Schedule files or directories of them.") var paths: [String]

    func run() throws {
        let variant = try v.resolve()
        for p in paths where !FileManager.default.fileExists(atPath: p) { throw CLIError("\(p): no such file") }
        let files = try expandSchedules(paths)
        guard !files.isEmpty else { throw CLIError("no schedule files given") }
        var counter = StepCounter()
        for f in files {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: f, isDirectory: &isDir), isDir.boolValue { continue }
            let bytes = try readSchedule(f)
            _ = bytes.withUnsafeBytes { Checker.run($0, variant: variant, config: v.config, observer: &counter) }
        }
        var missing = 0
        if !gaps { print("\(files.count) inputs, variant \(variant.name)\n") ; print("actor    label  kernel step                                        count") }
        for kind in [ActorKind.vcpu, .mm, .memslot, .attr, .recover, .nx, .apicv] {
            for pc in StepCounter.steps(of: kind, variant: variant) {
                let n = counter.count(kind, pc)
                if n == 0 { missing += 1 }
                if !gaps || n == 0 {
                    let k = "\(kind)".padding(toLength: 8, withPad: " ", startingAt: 0)
                    let l = pc.label.padding(toLength: 6, withPad: " ", startingAt: 0)
                    let w = pc.kernelName.count >= 50 ? pc.kernelName : pc.kernelName.padding(toLength: 50, withPad: " ", startingAt: 0)
                    print("\(k) \(l) \(w) \(n == 0 ? "NEVER" : String(n))")
                }
            }
        }
        print("\(missing) step(s) never reached")
        if gaps && missing > 0 { throw ExitCode(1) }
    }
}
