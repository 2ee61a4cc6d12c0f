/// Human-readable reports: the verdict, the interleaving with kernel step names, and the
/// command that replays it.
public enum Report {
    /// Re-run `bytes` with a trace recorder (deterministic: same verdict as the fast path).
    public static func trace(_ bytes: [UInt8], variant: Variant, config: WorldConfig = .default) -> (Verdict, [TraceEntry]) {
        var r = TraceRecorder()
        let v = bytes.withUnsafeBytes { Checker.run($0, variant: variant, config: config, observer: &r) }
        return (v, r.entries)
    }

    public static func headline(_ v: Verdict, variant: Variant) -> String {
        guard let x = v.violation else {
            return "faultsync: no violation under variant \(variant.name) (\(v.events) events, \(v.steps) steps)"
        }
        return "faultsync: VIOLATION \(x.invariant.name) (\(x.invariant.label)) under variant \(variant.name) at step \(x.step)\n  \(x.message)"
    }

    /// The report: headline, the trace (the last `maxSteps` lines if given), the replay command.
    public static func text(for bytes: [UInt8], variant: Variant, config: WorldConfig = .default,
                            file: String?, maxSteps: Int?) -> String {
        let (v, raw) = trace(bytes, variant: variant, config: config)
        var s = headline(v, variant: variant) + "\n"
        let entries = fold(raw)
        var shown = entries[...]
        if let m = maxSteps, entries.count > m {
            shown = entries.suffix(m)
            s += "  ... \(entries.count - m) earlier lines omitted (faultsync trace shows all)\n"
        }
        s += "  " + pad("step", 5) + " " + pad("actor", 8) + " " + pad("label", 6) + " " + pad("kernel step", 48) + " effect\n"
        for e in shown {
            if e.actor == foldMarker {
                s += "  " + pad("", 5) + " " + pad("...", 8) + " " + pad("", 6) + " " + e.what + "\n"
            } else if e.actor < 0 && e.label == "drain" {
                s += "  " + pad("", 5) + " " + pad("--", 8) + " " + pad("drain", 6) + " " + e.what + "\n"
            } else if e.actor < 0 {
                s += "  " + pad("", 5) + " " + pad("event", 8) + " " + pad("#\(e.event)", 6) + " " + pad(e.what, 48) + " " + e.effect + "\n"
            } else {
                s += "  " + pad(String(e.step), 5) + " " + pad(actorNames[e.actor], 8) + " " + pad(e.label, 6) + " "
                    + pad(e.what, 48) + " " + e.effect + "\n"
                if !e.deviation.isEmpty { s += "  " + pad("", 5) + " " + pad("", 8) + " " + pad("^^^", 6) + " " + e.deviation + "\n" }
            }
        }
        if v.violation != nil {
            let f = file ?? "<crash-file>"
            s += "replay: faultsync trace \(f) --variant \(variant.name)\(config.worldFlags)\n"
        }
        return s
    }

    public static let foldMarker = -2

    /// The comparison key of a trace line for cycle detection: actor, step and effect, with
    /// retry counters ("#12") blanked so that iterations of one retry loop compare equal.
    static func key(_ e: TraceEntry) -> String {
        var out = ""
        var skipDigits = false
        for ch in e.effect {
            if ch == "#" { skipDigits = true; out.append(ch); continue }
            if skipDigits && ch.isNumber { continue }
            skipDigits = false
            out.append(ch)
        }
        return "\(e.actor)|\(e.label)|\(e.what)|\(out)"
    }

    /// Fold the repeating retry cycle at the end of a trace (a liveness failure's trace is
    /// otherwise ~1,500 lines): the first and last iterations stay, the ones between become one
    /// line "steps a-b repeat N more times".
    public static func fold(_ entries: [TraceEntry]) -> [TraceEntry] {
        let n = entries.count
        guard n >= 12 else { return entries }
        let keys = entries.map(key)
        var bestP = 0, bestL = 0
        for p in 1...min(64, n / 3) {
            var k = 0
            var i = n - 1
            while i - p >= 0 && keys[i] == keys[i - p] { k += 1; i -= 1 }
            let l = p + k
            if l / p >= 3 && l > bestL { bestP = p; bestL = l }
        }
        guard bestP > 0 else { return entries }
        let start = n - bestL            // first line of the periodic tail
        let firstEnd = start + bestP     // end of its first iteration
        let reps = (n - bestP - firstEnd) / bestP
        guard reps >= 1 else { return entries }
        let lastStart = firstEnd + reps * bestP   // the last one to two iterations stay
        let middle = entries[firstEnd..<lastStart]
        let a = middle.first { $0.step > 0 }?.step ?? 0
        let b = middle.last { $0.step > 0 }?.step ?? 0
        let note = TraceEntry(step: 0, event: -1, actor: foldMarker, label: "", what:
            "steps \(a)-\(b) (\(lastStart - firstEnd) lines) repeat the \(bestP)-line cycle above \(reps) more time\(reps == 1 ? "" : "s")", effect: "")
        return Array(entries[..<firstEnd]) + [note] + Array(entries[lastStart...])
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
}
