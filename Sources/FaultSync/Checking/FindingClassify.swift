/// Known-finding titles for violations on the plain baseline (uses the executor, so it lives
/// beside it, not in the model).
extension Finding {
    /// A violation whose reason only one finding produces in the model (no variant, no other
    /// finding), named without re-running the input: the fuzz target's fast path on the plain
    /// baseline, where every NX recovery pass that takes a page ends in this violation.
    public static func quickClassify(_ v: Violation, config: WorldConfig) -> Finding? {
        if v.why == .nxPagesMismatch && !config.fixes.has(.nxUnaccountWrongMmuType) { return .nxUnaccountWrongMmuType }
        return nil
    }

    /// The known finding that explains `bytes`'s violation under `variant` on the plain
    /// baseline: the one whose fix alone makes the violation go away (nil when no single fix
    /// does, or when there is no violation). Like a syzbot known-bug title.
    /// An input with two findings in it: if every fix together removes every violation, the
    /// finding whose fix alone removes the *first* violation (the same check, actor and operands --
    /// for a liveness verdict the check only -- not the step, which an unrelated fix may
    /// shift), when exactly one does.
    public static func classify(_ bytes: [UInt8], variant: Variant = .none, config: WorldConfig = .default) -> Finding? {
        guard let first = Checker.check(bytes, variant: variant, config: config).violation else { return nil }
        var removesFirst: [Finding] = []
        for f in allCases where !config.fixes.has(f) {
            var c = config
            c.fixes = FixSet(rawValue: c.fixes.rawValue | f.fixFlag.rawValue)
            guard let v = Checker.check(bytes, variant: variant, config: c).violation else { return f }
            // (A liveness verdict's operands are retry counts, and the actor it names is the one
            // the drain found spinning first: any other fix shifts both. The same kind of hang
            // after a fix is the same hang.)
            let live = first.invariant.isLiveness
            let operands = live || (v.a == first.a && v.b == first.b)
            if v.invariant != first.invariant || v.why != first.why || (!live && v.actor != first.actor) || !operands {
                removesFirst.append(f)
            }
        }
        var all = config
        all.fixes = .all
        if removesFirst.count == 1 && Checker.check(bytes, variant: variant, config: all).violation == nil { return removesFirst[0] }
        return nil
    }
}
