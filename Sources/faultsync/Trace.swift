import ArgumentParser
import FaultSync
import Foundation

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
