/// Same-violation schedule minimizer: delta debugging over events, then simplification of
/// arguments (fewer steps per step event, smaller gfns / hvas / slots, vcpu0 before vcpu1) and
/// merging of adjacent steps of one actor,
/// keeping the *same invariant* violated under the same variant.
public enum Minimizer {
    public static func violates(_ s: Schedule, _ variant: Variant, _ inv: Invariant, _ config: WorldConfig) -> Bool {
        Checker.check(s.bytes, variant: variant, config: config).violation?.invariant == inv
    }

    /// The shortest schedule (in transitions) over the operations of `m` that violates `inv`,
    /// found by the exhaustive checker within a budget; nil when the search does not finish in
    /// it or finds nothing shorter than `m`.
    public static func shortest(_ m: Schedule, variant: Variant, config: WorldConfig = .default, inv: Invariant,
                                maxStates: Int = 3_000_000, seconds: Double = 30) -> Schedule? {
        let sc = Scenario(schedule: m)
        guard !sc.ops.isEmpty, sc.ops.count <= Scenario.maxOps else { return nil }
        var o = ExploreOptions()
        o.variant = variant
        o.config = config
        o.target = inv
        o.maxStates = maxStates
        o.timeLimit = seconds
        let r = Explorer.explore(sc, options: o)
        guard let ce = r.counterexample, r.violation?.invariant == inv, violates(ce, variant, inv, config),
              r.counterexampleTransitions < length(m, variant: variant, config: config) else { return nil }
        return ce
    }

    /// A schedule's length in the checker's unit: accepted operation starts and single steps up
    /// to its violation (for a liveness verdict, up to the end-of-schedule drain).
    public static func length(_ s: Schedule, variant: Variant, config: WorldConfig = .default) -> Int {
        var t = TransitionCounter()
        let v = s.bytes.withUnsafeBytes { Checker.run($0, variant: variant, config: config, observer: &t) }
        if let x = v.violation, x.invariant.isLiveness, let d = t.atDrain { return d }
        return t.transitions
    }

    /// Returns nil when `s` does not violate anything under `variant`.
    public static func minimize(_ s: Schedule, variant: Variant, config: WorldConfig = .default) -> Schedule? {
        guard let inv = Checker.check(s.bytes, variant: variant, config: config).violation?.invariant else { return nil }
        var cur = s
        // Events after the one at which the violation fired never matter: cut them first.
        cur = ddmin(cur, variant, inv, config)
        var changed = true
        var rounds = 0
        while changed && rounds < 8 {
            changed = false
            rounds += 1
            for i in cur.events.indices {
                for cand in simpler(cur.events[i]) {
                    var t = cur
                    t.events[i] = cand
                    if violates(t, variant, inv, config) { cur = t; changed = true; break }
                }
            }
            // Merge adjacent steps of the same actor into one event.
            var i = 0
            while i + 1 < cur.events.count {
                let a = cur.events[i], b = cur.events[i + 1]
                if a.kind == .step && b.kind == .step && a.x == b.x && Int(a.y) + Int(b.y) <= 16 {
                    var t = cur
                    t.events[i].y = a.y + b.y
                    t.events.remove(at: i + 1)
                    if violates(t, variant, inv, config) { cur = t; changed = true; continue }
                }
                i += 1
            }
            let d = ddmin(cur, variant, inv, config)
            if d.events.count < cur.events.count { cur = d; changed = true }
        }
        return cur
    }

    /// Zeller's ddmin over the event list.
    static func ddmin(_ s: Schedule, _ variant: Variant, _ inv: Invariant, _ config: WorldConfig) -> Schedule {
        var ev = s.events
        var n = 2
        while ev.count >= 2 {
            let chunk = max(1, ev.count / n)
            var reduced = false
            var start = 0
            while start < ev.count {
                var t = ev
                t.removeSubrange(start..<min(start + chunk, ev.count))
                if violates(Schedule(events: t), variant, inv, config) {
                    ev = t
                    n = max(n - 1, 2)
                    reduced = true
                    break
                }
                start += chunk
            }
            if !reduced {
                if n >= ev.count { break }
                n = min(n * 2, ev.count)
            }
        }
        if ev.count == 1 && violates(Schedule(events: []), variant, inv, config) { ev = [] }
        return Schedule(events: ev)
    }

    /// Candidate simplifications of one event, simplest first.
    static func simpler(_ e: Event) -> [Event] {
        var out: [Event] = []
        func with(_ f: (inout Event) -> Void) { var c = e; f(&c); if c != e { out.append(c) } }
        switch e.kind {
        case .step:
            if e.y > 1 { with { $0.y = 1 }; with { $0.y = e.y / 2 }; with { $0.y = e.y - 1 } }
        case .fault:
            with { $0.x = 0 }; with { $0.f2 = false }; with { $0.f1 = false }; with { $0.z = 0 }
            if e.y > 0 && e.y != apicGfnMarker { with { $0.y = 0 }; with { $0.y = e.y - 1 } }
        case .remap, .unmap, .age:
            with { $0.y = 1 }; with { $0.f1 = false }
            if e.x > 0 { with { $0.x = 0 }; with { $0.x = e.x - 1 } }
        case .split, .collapse:
            with { $0.f1 = false }
            if e.x > 0 { with { $0.x = 0 } }
        case .attr:
            with { $0.y = 1 }
            if e.x > 0 { with { $0.x = 0 }; with { $0.x = e.x - 1 } }
        case .create, .delete, .move, .flags, .recover, .signal:
            if e.x > 0 { with { $0.x = 0 } }
        case .punchHole:
            with { $0.y = 1 }
            if e.x > 0 { with { $0.x = 0 }; with { $0.x = e.x - 1 } }
        case .gpcActivate, .gmemError:
            if e.x > 0 { with { $0.x = 0 } }
        case .nxToggle, .nxRecover, .apicv, .gpcUse, .gpcDeactivate, .gmemRelease:
            break
        }
        return out
    }
}

/// Counts what the exhaustive checker counts as transitions: accepted operation starts and
/// single steps; `atDrain` is the count when the end-of-schedule drain began.
public struct TransitionCounter: StepObserver {
    public var transitions = 0
    public var atDrain: Int? = nil
    public init() {}
    public mutating func event(_ index: Int, _ e: Event, accepted: Bool, world: World) {
        if e.kind != .step && accepted { transitions += 1 }
    }
    public mutating func willStep(_ actor: Int, world: World) {}
    public mutating func didStep(_ actor: Int, world: World) { transitions += 1 }
    public mutating func drainStarts(world: World) { atDrain = transitions }
}
