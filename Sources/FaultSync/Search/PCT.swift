/// A PCT-style random scheduler (Burckhardt et al., "A Randomized Scheduler with Probabilistic
/// Guarantees of Finding Bugs"), adapted to the model: operations start at random, and steps go
/// to the highest-priority runnable actor; at `depth - 1` random change points the running actor
/// drops to the lowest priority. It produces an ordinary `Schedule`, so a finding replays, traces
/// and minimizes like any other input.
public struct PCTScheduler {
    var rng: SplitMix64
    public var depth: Int
    public var maxEvents: Int

    public init(seed: UInt64, depth: Int = 3, maxEvents: Int = 64) {
        rng = SplitMix64(stream: seed)
        self.depth = max(1, depth)
        self.maxEvents = min(max(1, maxEvents), ScheduleFormat.maxEvents)
    }

    mutating func next() -> UInt64 { rng.next() }

    /// One random schedule.
    public mutating func schedule(variant: Variant, config: WorldConfig = .default) -> Schedule {
        var w = World(config: config, variant: variant)
        let g = Geometry(gfns: w.gfnCount, hvas: w.hvaCount)
        var prio = (0..<Cap.actors).map { _ in Int(next() % 1000) + depth }
        var changes = Set<Int>()
        for _ in 0..<(depth - 1) { changes.insert(Int(next() % UInt64(maxEvents))) }
        var events: [Event] = []
        var low = depth - 1
        while events.count < maxEvents {
            let idx = events.count
            if next() % 4 == 0 || !w.anyBusy {
                // start a random operation: any non-step opcode of the byte format
                let op = UInt8(5 + next() % 11)
                let e = ScheduleFormat.decode(op, UInt8(truncatingIfNeeded: next()), UInt8(truncatingIfNeeded: next()), g)
                _ = w.start(e)
                events.append(e)
                continue
            }
            var best = -1
            for a in 0..<Cap.actors where w.runnable(a) && (best < 0 || prio[a] > prio[best]) { best = a }
            guard best >= 0 else {
                let op = UInt8(5 + next() % 11)
                let e = ScheduleFormat.decode(op, UInt8(truncatingIfNeeded: next()), UInt8(truncatingIfNeeded: next()), g)
                _ = w.start(e)
                events.append(e)
                continue
            }
            if changes.contains(idx) && low > 0 { prio[best] = low; low -= 1 }
            w.step(best)
            events.append(Event(kind: .step, x: UInt8(best), y: 1))
        }
        return Schedule(events: events)
    }
}
