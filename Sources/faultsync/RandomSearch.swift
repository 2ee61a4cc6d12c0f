import ArgumentParser
import FaultSync
import Foundation

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
