/// Known-finding titles for violations on the plain baseline (uses the executor, so it lives
/// beside it, not in the model).
extension Finding {
    /// The known finding that explains `bytes`'s violation under `variant` on the plain
    /// baseline: the one whose fix alone makes the violation go away (nil when no single fix
    /// does, or when there is no violation). Like a syzbot known-bug title.
    public static func classify(_ bytes: [UInt8], variant: Variant = .none, config: WorldConfig = .default) -> Finding? {
        guard Checker.check(bytes, variant: variant, config: config).violation != nil else { return nil }
        for f in allCases where !config.fixes.has(f) {
            var c = config
            c.fixes = FixSet(rawValue: c.fixes.rawValue | f.fixFlag.rawValue)
            if Checker.check(bytes, variant: variant, config: c).violation == nil { return f }
        }
        return nil
    }
}
