/// `faultsync trace --lanes`: the interleaving with one column per actor, so that who ran
/// between whose steps is visible at a glance.
extension Report {
    /// Headline, then one row per step: the step number and, in the column of the actor that
    /// took it, its label and kernel step (cut to `width`). Events and the drain marker span the
    /// row; the violating step is marked. Only actors that took a step get a column.
    public static func lanes(for bytes: [UInt8], variant: Variant, config: WorldConfig = .default,
                             width: Int = 22, maxSteps: Int? = nil) -> String {
        let (v, raw) = trace(bytes, variant: variant, config: config)
        var entries = fold(raw)
        var s = headline(v, variant: variant) + "\n"
        if let m = maxSteps, entries.count > m {
            s += "  ... \(entries.count - m) earlier lines omitted\n"
            entries = Array(entries.suffix(m))
        }
        var used = [Bool](repeating: false, count: actorNames.count)
        for e in entries where e.actor >= 0 && e.actor < used.count { used[e.actor] = true }
        let cols = used.indices.filter { used[$0] }
        let w = max(8, width)
        func cut(_ t: String) -> String { t.count <= w - 1 ? pad(t, w) : String(t.prefix(w - 2)) + "~ " }
        s += ("  " + pad("step", 6) + cols.map { cut(actorNames[$0]) }.joined()).trimmingTrailingSpaces() + "\n"
        s += "  " + String(repeating: "-", count: 6 + w * cols.count) + "\n"
        let violating = v.violation.map { Int($0.step) }
        for e in entries {
            if e.actor == foldMarker {
                s += "  " + pad("", 6) + "... " + e.what + "\n"
            } else if e.actor < 0 && e.label == "drain" {
                s += "  " + pad("", 6) + "-- end of schedule: the unfinished actors run round-robin --\n"
            } else if e.actor < 0 {
                s += "  " + pad("", 6) + "event #\(e.event): \(e.what)\(e.effect == "started" || e.effect.isEmpty ? "" : " (\(e.effect))")\n"
            } else {
                var row = "  " + pad(String(e.step), 6)
                for c in cols {
                    row += c == e.actor ? cut("\(e.label) \(e.what)") : pad("", w)
                }
                if let vs = violating, vs == e.step, e.actor >= 0 { row += "<- VIOLATION" }
                if !e.deviation.isEmpty { row += (row.hasSuffix("VIOLATION") ? "; " : "") + "<- variant acts: " + e.deviation }
                s += row.trimmingTrailingSpaces() + "\n"
            }
        }
        return s
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var t = self
        while t.last == " " { t.removeLast() }
        return t
    }
}
