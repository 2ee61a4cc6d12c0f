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
        let (v, entries) = trace(bytes, variant: variant, config: config)
        var s = headline(v, variant: variant) + "\n"
        var shown = entries[...]
        if let m = maxSteps, entries.count > m {
            shown = entries.suffix(m)
            s += "  ... \(entries.count - m) earlier lines omitted (faultsync trace shows all)\n"
        }
        s += "  " + pad("step", 5) + " " + pad("actor", 8) + " " + pad("label", 6) + " " + pad("kernel step", 48) + " effect\n"
        for e in shown {
            if e.actor < 0 {
                s += "  " + pad("", 5) + " " + pad("event", 8) + " " + pad("#\(e.event)", 6) + " " + pad(e.what, 48) + " " + e.effect + "\n"
            } else {
                s += "  " + pad(String(e.step), 5) + " " + pad(actorNames[e.actor], 8) + " " + pad(e.label, 6) + " "
                    + pad(e.what, 48) + " " + e.effect + "\n"
            }
        }
        if v.violation != nil {
            let f = file ?? "<crash-file>"
            s += "replay: faultsync trace \(f) --variant \(variant.name)\n"
        }
        return s
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
}
