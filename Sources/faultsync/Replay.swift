import ArgumentParser
import FaultSync
import Foundation

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
