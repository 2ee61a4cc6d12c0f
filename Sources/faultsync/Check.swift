import ArgumentParser
import FaultSync
import Foundation

/// Set by SIGINT during `check`: the search stops and prints what it covered.
nonisolated(unsafe) var checkInterrupted = false

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explore every interleaving of a scenario's operations (bounded exhaustive check): a proof, or a shortest counterexample.",
        discussion: """
        The scenario is a schedule file (text or bytes; its steps are ignored: the checker picks the \
        steps) and/or --op lines. Every operation may start at any point; the search is breadth-first \
        over canonical world states, so the first counterexample is a shortest one in transitions \
        (operation starts + single steps). The counterexample is a schedule that `faultsync replay` \
        and `trace` reproduce. The world is the default one that replay uses.
        Exit status: 0 complete proof (no violation in any interleaving), 1 violation, 2 usage error, \
        3 stopped by a bound or interrupted before the proof was complete. Ctrl-C stops with a \
        statement of what was covered. See docs/check.md.
        """)
    @OptionGroup var v: VariantOption
    @Argument(help: "A scenario: a schedule file, text or bytes (recognised by content); its steps are ignored.") var file: String?
    @Option(name: .customLong("op"), help: "An operation in the text form, e.g. --op 'fault vcpu0 gfn=9 shared' (repeatable; ';' separates several).")
    var ops: [String] = []
    @Option(help: "Check every scenario of 1...N operations from the menu (`--list-menu`) instead.") var allScenarios: Int?
    @Option(help: "With --all-scenarios: only shard I of N (scenario k belongs to shard k mod N), as I/N.") var shard: String?
    @Flag(help: "With --all-scenarios: stop at the first scenario with a violation.") var first = false
    @Flag(help: "Print the --all-scenarios menu and the number of scenarios per size, then exit.") var listMenu = false
    @Option(help: "Stop (incomplete) after this many distinct states.") var maxStates: Int = 200_000_000
    @Option(help: "Stop (incomplete) after this many BFS levels.") var maxDepth: Int?
    @Option(help: "Stop (incomplete) after this many seconds (per scenario).") var time: Double?
    @Flag(help: "Depth-first: memory is the fingerprint table (at most 14.8 bytes/state past ~106 k states, between doublings) plus a small stack, instead of also two BFS levels of packed worlds, ~1 KB each (breadth-first also writes 5 bytes/state of parent links to a temporary file); faster; same states and verdict; a violation is then re-searched breadth-first up to its length, for the shortest schedule.") var dfs = false
    @Flag(help: "No sleep-set reduction: take every enabled transition from every state (same states and verdict, more transitions; for comparison).") var noReduction = false
    @Flag(help: "Maintainers, after changing a step: for every pair of transitions the footprint table (Model/Footprint.swift) calls independent, take both orders and check they commute; exit 2 on the first scenario where one does not. Slow.") var verifyIndependence = false
    @Flag(help: "Store whole canonical states instead of 64-bit fingerprints (no hash collisions; counts the ones fingerprints would have had). For small runs.") var exact = false
    @Option(name: .shortAndLong, help: "Write the counterexample to this new file (text form); with --all-scenarios, a new directory for them.") var output: String?
    @Flag(help: "Replace an existing output file.") var force = false
    @Flag(help: "One JSON object per scenario on stdout (schema: docs/check.md); progress still goes to stderr.") var json = false
    @Flag(help: "No progress lines on stderr.") var quiet = false
    @Option(help: "Instead of checking, print the length of a schedule FILE in the checker's unit: transitions (accepted operation starts + single steps) up to its violation (for a liveness verdict: up to the end-of-schedule drain), or to its end.") var length: String?
    @Option(help: "Instead of checking, measure the raw rate (transitions/s) of random walks over the scenario's transitions for this many seconds: the limit the search's rate is compared with (scripts/bench-check).") var rawStepRate: Double?

    func run() throws {
        if listMenu {
            for (i, l) in ScenarioMenu.lines(for: v.config).enumerated() { print("\(i)\t\(l)") }
            for n in 1...4 { print("scenarios of 1...\(n) operations: \(ScenarioMenu.scenarios(upTo: n, config: v.config).count)") }
            return
        }
        let variant = try v.resolve()
        var options = ExploreOptions()
        options.variant = variant
        options.config = v.config
        options.maxStates = maxStates
        if let d = maxDepth { options.maxDepth = d }
        if let t = time { options.timeLimit = t }
        options.exact = exact
        options.depthFirst = dfs
        options.reduce = !noReduction
        options.verifyIndependence = verifyIndependence
        options.shouldStop = { checkInterrupted }
        signal(SIGINT) { _ in checkInterrupted = true }

        if let f = length {
            let bytes = try readSchedule(f)
            var t = TransitionCounter()
            let verdict = bytes.withUnsafeBytes { Checker.run($0, variant: variant, config: v.config, observer: &t) }
            // A liveness verdict is about the state the schedule ends in: count up to the drain.
            if let x = verdict.violation, x.invariant.isLiveness, let d = t.atDrain {
                print("\(d) transitions to the state the end-of-schedule drain finds \(x.invariant.name) from")
            } else {
                print("\(t.transitions) transitions\(verdict.violation.map { " to VIOLATION \($0.invariant.name)" } ?? " (no violation)")")
            }
            return
        }
        if let n = allScenarios {
            guard file == nil && ops.isEmpty else { throw CLIError("--all-scenarios takes no scenario file or --op") }
            guard (1...6).contains(n) else { throw CLIError("--all-scenarios must be 1...6") }
            try runAll(n, options, variant)
            return
        }
        guard shard == nil else { throw CLIError("--shard needs --all-scenarios") }
        let scenario = try readScenario()
        if let secs = rawStepRate {
            let rate = Explorer.randomWalkRate(scenario, options: options, seconds: secs)
            print(json ? "{\"rawTransitionsPerSecond\":\(Int(rate))}" : "raw transitions/s: \(Int(rate))")
            return
        }
        if !quiet {
            options.progress = { s in
                FileHandle.standardError.write(Data("faultsync check: \(progressLine(s))\n".utf8))
            }
        }
        let r = Explorer.explore(scenario, options: options)
        try checkIndependence(scenario, r)
        let code = try report(scenario, r, variant, output: output, inputs: file.map { [$0] } ?? [])
        if verifyIndependence && !json { print("# \(r.stats.independenceChecks) independence claims verified: all hold") }
        if code != 0 { throw ExitCode(code) }
    }

    func readScenario() throws -> Scenario {
        var events: [Event] = []
        if let f = file {
            // A schedule in either form (recognised by its content); its steps are dropped.
            events += Schedule(bytes: try readSchedule(f)).events
        }
        var k = 0
        for o in ops {
            for part in o.split(separator: ";") {
                k += 1
                do { events += try Schedule(text: String(part)).events } catch let e as ScheduleParseError {
                    throw CLIError("--op:\(k):\(e.column): error: \(e.message)")
                }
            }
        }
        let s = Scenario(ops: events.filter { $0.kind != .step })
        guard !s.ops.isEmpty else { throw CLIError("the scenario has no operations (give a file or --op)") }
        guard s.ops.count <= Scenario.maxOps else { throw CLIError("the scenario has \(s.ops.count) operations; at most \(Scenario.maxOps)") }
        return s
    }

    var worldText: String {
        let gm = v.gmemInitShared ? "guest_memfd with MMAP | INIT_SHARED, mapped there: gmem-only, no private memory"
            : v.gmemMmap ? "guest_memfd with MMAP: gmem-only" : "guest_memfd"
        let vm = v.mirrorTdp ? "mirrored TDP (attr_filter honoured), no APIC access page" : "APIC access page"
        // (Variant fast-pf-plain-write implies the world without A/D bits: World.init.)
        let noAd = (v.noAdBits || (Variant.named(v.variant)?.impliesNoAdBits ?? false)) && !v.mirrorTdp
        let zap = (v.noSlotZapAll || v.mirrorTdp ? ", memslot changes zap the slot (no zap-all quirk)" : "")
            + (noAd ? ", no A/D bits (access tracking, fast_page_fault)" : "")
        return "the \(v.gmemMmap || v.gmemInitShared || v.mirrorTdp || v.noSlotZapAll || noAd ? "" : "default ")world (16 gfns, 32 host pages, slot0 gfn [0,8) at hva 0 (\(gm)), slot1 gfn [8,12) at hva 16, 2 vCPUs, 2 notifier threads, \(vm)\(zap); \(v.kernel))"
    }

    /// Print the verdict of one scenario; the exit code it means.
    func report(_ scenario: Scenario, _ r: ExploreResult, _ variant: Variant, output: String?, inputs: [String],
                index: Int? = nil) throws -> Int32 {
        var replayed: Violation? = nil
        let replayable = (r.counterexample?.events.count ?? 0) <= ScheduleFormat.maxEvents
        if let ce = r.counterexample, !replayable {
            FileHandle.standardError.write(Data("faultsync check: the counterexample has \(ce.events.count) events, more than a schedule holds (\(ScheduleFormat.maxEvents)): printed, but replay would cut it\n".utf8))
        }
        if let ce = r.counterexample, replayable {
            replayed = Checker.check(ce.bytes, variant: variant, config: v.config).violation
            if let out = output {
                try writeNew(out, Data(counterexampleText(scenario, r, variant).utf8), inputs: inputs, force: force)
            }
        }
        let code: Int32 = r.outcome == .complete ? 0 : r.outcome == .violation ? 1 : 3
        if json {
            let j = CheckJSON(scenario: scenario.ops.map(\.text), index: index, variant: variant.name, kernel: v.kernel,
                              outcome: r.outcome.rawValue, complete: r.outcome == .complete,
                              distinct: r.stats.distinct, transitions: r.stats.transitions,
                              reduction: !noReduction, slept: r.stats.slept, depth: r.stats.depth,
                              seconds: r.stats.seconds, statesPerSecond: r.stats.statesPerSecond,
                              bytesPerState: r.stats.bytesPerState, tableBytesPerState: r.stats.tableBytesPerState,
                              diskBytesPerState: Double(r.stats.diskBytes) / Double(max(r.stats.distinct, 1)),
                              parentLinksInMemory: r.stats.parentLinksInMemory,
                              sleepBits: r.stats.sleepBits, sleepDropped: r.stats.sleepDropped, peakFrontier: r.stats.peakFrontier,
                              peakFrontierBytes: r.stats.peakFrontierBytes,
                              peakFrontierUsedBytes: r.stats.peakFrontierUsedBytes, packedBytesPerState: r.stats.packedBytesPerState,
                              livenessChecks: r.stats.livenessChecks,
                              exact: exact, collisions: exact ? r.stats.collisions : nil,
                              violation: r.violation.map(ViolationJSON.init),
                              counterexample: r.counterexample?.text, counterexampleTransitions: r.counterexample == nil ? nil : r.counterexampleTransitions,
                              replayReproduces: r.counterexample == nil || !replayable ? nil : replayed?.invariant == r.violation?.invariant,
                              output: output)
            try printJSON(j)
        } else {
            print(statement(scenario, r, variant))
            if r.counterexample != nil {
                print(counterexampleText(scenario, r, variant), terminator: "")
                let same = replayed?.invariant == r.violation?.invariant
                print("# replay: \(!replayable ? "not checked (too long for a schedule)" : same ? "reproduces" : "DOES NOT reproduce") \(r.violation!.invariant.name)\(output.map { "; written to \($0) (faultsync trace \($0)\(variant == .none ? "" : " --variant \(variant.name)")\(v.worldFlags))" } ?? "")")
            }
        }
        if r.counterexample != nil && replayable && replayed?.invariant != r.violation?.invariant {
            FileHandle.standardError.write(Data("faultsync check: internal error: the counterexample does not replay to the same violation\n".utf8))
            return 2
        }
        return code
    }

    func statement(_ scenario: Scenario, _ r: ExploreResult, _ variant: Variant) -> String {
        let s = r.stats
        let figures = "\(s.distinct) distinct states, \(s.transitions) transitions\(noReduction ? "" : " (\(s.slept) more slept by the reduction)"), depth \(s.depth), \(fmt(s.seconds)) s (\(Int(s.statesPerSecond)) states/s, \(fmt(s.bytesPerState)) bytes/state in memory\(s.diskBytes > 0 ? " + \(fmt(Double(s.diskBytes) / Double(max(s.distinct, 1)))) on disk (parent links)" : "")\(s.parentLinksInMemory ? " (parent links in memory: the link file could not be written)" : "")\(exact ? ", exact: \(s.collisions) fingerprint collisions" : ", 64-bit fingerprints"))"
        let what = "[\(scenario.oneLine)] in \(worldText) under variant \(variant.name)"
        switch r.outcome {
        case .complete:
            return "faultsync check: no violation in any interleaving of \(what): \(figures), complete"
        case .violation:
            let x = r.violation!
            guard let ce = r.counterexample else {
                return "faultsync check: VIOLATION \(x.invariant.name) (\(x.invariant.label)) in an interleaving of \(what)\n  \(x.message)\n  found depth-first at \(r.counterexampleTransitions) transitions; the breadth-first re-search for its schedule hit a bound (raise --max-states/--time); search: \(figures)"
            }
            return "faultsync check: VIOLATION \(x.invariant.name) (\(x.invariant.label)) in an interleaving of \(what)\n  \(x.message)\n  shortest counterexample: \(r.counterexampleTransitions) transitions (\(ce.events.count) events); search: \(figures)"
        default:
            if r.depthFirst {
                return "faultsync check: INCOMPLETE (\(r.outcome.rawValue)) for \(what): no violation in the \(s.distinct) states reached depth-first (an interrupted depth-first search bounds no interleaving length; drop --dfs for that); \(figures)"
            }
            return "faultsync check: INCOMPLETE (\(r.outcome.rawValue)) for \(what): no violation in any interleaving of at most \(s.depth) transitions; \(figures)"
        }
    }

    func counterexampleText(_ scenario: Scenario, _ r: ExploreResult, _ variant: Variant) -> String {
        var t = "# faultsync schedule v\(ScheduleFormat.version)\n"
        t += "# shortest counterexample (\(r.counterexampleTransitions) transitions) found by faultsync check under variant \(variant.name)\(v.baseline ? " (plain baseline)" : "")\(v.config.worldFlags.replacingOccurrences(of: " --baseline", with: "").isEmpty ? "" : " in world" + v.config.worldFlags.replacingOccurrences(of: " --baseline", with: ""))\n"
        t += "# scenario: \(scenario.oneLine)\n"
        t += "# \(r.violation!.invariant.name): \(r.violation!.message)\n"
        for e in r.counterexample!.events { t += e.text + "\n" }
        return t
    }

    func runAll(_ n: Int, _ base: ExploreOptions, _ variant: Variant) throws {
        let all = ScenarioMenu.scenarios(upTo: n, config: v.config)
        var idx = 0, cnt = 1
        if let s = shard {
            let p = s.split(separator: "/")
            guard p.count == 2, let i = Int(p[0]), let c = Int(p[1]), c >= 1, (0..<c).contains(i) else {
                throw CLIError("--shard must be I/N with 0 <= I < N, got '\(s)'")
            }
            idx = i; cnt = c
        }
        if let out = output {
            if FileManager.default.fileExists(atPath: out) && !force { throw CLIError("\(out): exists (use --force)") }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        }
        let mine = ScenarioMenu.shard(all, index: idx, count: cnt)
        var proven = 0, violated = 0, incomplete = 0, states = 0, independenceChecks = 0
        let t0 = Date()
        for (k, sc) in mine {
            var o = base
            if !quiet && !json {
                o.progress = { s in FileHandle.standardError.write(Data("  scenario \(k): \(progressLine(s))\n".utf8)) }
            }
            let r = Explorer.explore(sc, options: o)
            states += r.stats.distinct
            try checkIndependence(sc, r)
            independenceChecks += r.stats.independenceChecks
            let out = output.map { ($0 as NSString).appendingPathComponent("scenario-\(k).txt") }
            if json {
                _ = try report(sc, r, variant, output: r.counterexample == nil ? nil : out, inputs: [], index: k)
            } else if r.outcome == .complete {
                print("scenario \(k): proven, \(r.stats.distinct) states, depth \(r.stats.depth): \(sc.oneLine)")
            } else {
                print("scenario \(k):")
                _ = try report(sc, r, variant, output: r.counterexample == nil ? nil : out, inputs: [], index: k)
            }
            switch r.outcome {
            case .complete: proven += 1
            case .violation: violated += 1
            default: incomplete += 1
            }
            if checkInterrupted || (first && r.outcome == .violation) { break }
        }
        let summary = "faultsync check --all-scenarios \(n)\(shard.map { " --shard \($0)" } ?? ""): \(proven + violated + incomplete) of \(mine.count) scenarios checked (\(all.count) in all); \(proven) proven complete, \(violated) with a violation, \(incomplete) incomplete; \(states) distinct states in \(fmt(Date().timeIntervalSince(t0))) s under variant \(variant.name) (\(v.kernel))\(verifyIndependence ? "; \(independenceChecks) independence claims verified" : "")"
        if json { FileHandle.standardError.write(Data((summary + "\n").utf8)) } else { print(summary) }
        if violated > 0 { throw ExitCode(1) }
        if incomplete > 0 || checkInterrupted { throw ExitCode(3) }
    }
}

extension Check {
    /// --verify-independence: a claim of the footprint table that did not hold is an internal
    /// error (exit 2): the reduction would be unsound there.
    func checkIndependence(_ sc: Scenario, _ r: ExploreResult) throws {
        guard verifyIndependence, r.stats.independenceErrors > 0 else { return }
        FileHandle.standardError.write(Data("faultsync check: internal error: \(r.stats.independenceErrors) of \(r.stats.independenceChecks) independence claims do not hold in [\(sc.oneLine)]; first: \(r.stats.firstIndependenceError ?? "?")\n".utf8))
        throw ExitCode(2)
    }
}

func fmt(_ x: Double) -> String { String(format: x < 10 ? "%.2f" : "%.1f", x) }

func progressLine(_ s: ExploreStats) -> String {
    "\(fmt(s.seconds)) s: \(s.distinct) distinct, \(s.transitions) transitions, depth \(s.depth), frontier \(s.frontier), \(Int(s.statesPerSecond)) states/s, \(s.storedBytes >> 20) MiB stored + \(s.peakFrontierBytes >> 20) MiB frontier"
}
