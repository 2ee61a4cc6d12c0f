import FaultSyncPrefetch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The operations of an exhaustive check: start events of the text form (`fault vcpu0 gfn=1
/// shared`, `remap hva=1 pages=4`, `delete slot=1`, `signal vcpu0`, ...). The checker explores
/// every interleaving of their atomic steps, and every point at which each may start.
public struct Scenario: Equatable, Sendable {
    public var ops: [Event]
    /// Operations are tracked in a 16-bit started mask.
    public static let maxOps = 16

    public init(ops: [Event]) { self.ops = ops }

    /// The start events of a schedule; its `step` lines are dropped (the checker picks steps).
    public init(schedule: Schedule) { ops = schedule.events.filter { $0.kind != .step } }

    /// One operation per line, in the text form.
    public var text: String { ops.map(\.text).joined(separator: "\n") }
    public var oneLine: String { ops.map(\.text).joined(separator: "; ") }
}

/// Options of one exhaustive check.
public struct ExploreOptions {
    public var variant: Variant = .none
    public var config: WorldConfig = .default
    /// Stop (incomplete) after this many distinct states.
    public var maxStates = 200_000_000
    /// Stop (incomplete) after exploring this many BFS levels.
    public var maxDepth = Int.max
    /// Stop (incomplete) after this many seconds.
    public var timeLimit = Double.infinity
    /// Store every canonical state whole (no fingerprint collisions possible; counts collisions
    /// the fingerprints alone would have made). For small runs.
    public var exact = false
    /// Depth-first instead of breadth-first: memory is the visited table only (no parent links)
    /// plus a stack of about depth x branching worlds instead of a whole BFS level; the verdict
    /// and the set of states are the same. On a violation `explore` re-searches breadth-first up
    /// to the length of the path found, for a shortest counterexample with its schedule.
    public var depthFirst = false
    /// Look only for this invariant: a transition that violates another one is pruned (not
    /// followed), and the search goes on. `faultsync minimize` uses it.
    public var target: Invariant? = nil
    /// Run the end-of-schedule drain at every state where nothing can start (not only where
    /// every runnable actor is retrying). Costly; `explore` uses it to shorten a liveness
    /// counterexample.
    public var eagerLiveness = false
    /// Return the visited set (canonical words + started mask per state; implies `exact`). Tests.
    public var collectVisited = false
    /// Sleep-set reduction (Godefroid): a transition that an earlier sibling's subtree already
    /// takes in a commuted order is not taken again. Independence is `Footprint` (per-step
    /// resources). It prunes transitions, not states: the set of visited states, and so every
    /// verdict, is the one of the unreduced search (docs/check.md, "Reduction").
    public var reduce = true
    /// Tests: for every pair of transitions the footprints call independent, take both orders
    /// and compare the canonical states and verdicts; a mismatch is counted in
    /// `ExploreStats.independenceErrors` (and `firstIndependenceError`).
    public var verifyIndependence = false
    /// Tests: compute every successor's fingerprint in full too and count those the incremental
    /// computation got wrong (`ExploreStats.fingerprintErrors`).
    public var verifyFingerprints = false
    /// Negative control for tests: call every pair of transitions independent (unsound).
    public var assumeAllIndependent = false
    /// Called about every `progressInterval` seconds.
    public var progressInterval = 2.0
    public var progress: ((ExploreStats) -> Void)? = nil
    /// Polled between expansions; true stops the search (incomplete, "interrupted").
    public var shouldStop: () -> Bool = { false }
    public init() {}
}

/// Counters of a search, also reported as progress.
public struct ExploreStats: Sendable {
    /// Distinct canonical states reached (the initial one included).
    public var distinct = 1
    /// Transitions taken (successors generated, revisits included).
    public var transitions = 0
    /// States expanded.
    public var expanded = 0
    /// BFS levels fully expanded; every state at depth <= this has had all its successors checked.
    public var depth = 0
    /// States waiting at the next level.
    public var frontier = 0
    public var peakFrontier = 0
    /// States at which the executor's drain was run to look for a liveness failure.
    public var livenessChecks = 0
    public var seconds = 0.0
    /// Bytes of memory that grow with the state count: the visited table (and, breadth-first,
    /// the parent links' 64 KiB write buffer; the links themselves are on disk, `diskBytes`).
    public var storedBytes = 0
    /// Breadth-first: bytes of parent links written to the (unlinked, temporary) link file, 5 per
    /// stored state.
    public var diskBytes = 0
    /// The link file could not be created or written (no space): links are kept in memory from
    /// there on, and `storedBytes` counts them.
    public var parentLinksInMemory = false
    /// Bytes of the BFS frontier at its largest: two levels' packed blocks (their capacity),
    /// or the DFS stack's.
    public var peakFrontierBytes = 0
    /// Breadth-first: bytes the packed states of two levels used at the widest point, and per
    /// state (a node unpacked is `MemoryLayout<Explorer.Node>.stride` bytes).
    public var peakFrontierUsedBytes = 0
    public var packedBytesPerState = 0.0
    /// Exact mode: states whose fingerprint equalled another state's (0 means hashed mode
    /// would have found the same count).
    public var collisions = 0
    /// Reduction: transitions not taken because they were asleep (taken elsewhere in a
    /// commuted order), and revisits that re-opened transitions a state had slept on.
    public var slept = 0
    public var reexpanded = 0
    /// `verifyIndependence`: footprint-independent pairs that did not commute.
    public var independenceChecks = 0
    public var independenceErrors = 0
    public var firstIndependenceError: String? = nil
    /// `verifyFingerprints`: successors whose incremental fingerprint differed from the full one,
    /// and, breadth-first, states unpacked from a packed level that differed from a whole copy;
    /// and the canonical components (bits) whose hash changed in some successor.
    public var fingerprintErrors = 0
    public var componentsChanged: UInt32 = 0
    /// Bytes of the visited table alone (`storedBytes` less the BFS parent links' buffer).
    public var tableBytes = 0
    /// Reduction: transitions given a compact sleep-set bit (at most `SleepMap.width`, 11), and members dropped
    /// from sleep sets once the 11 were given out (sound: fewer sleep, more is taken).
    public var sleepBits = 0
    public var sleepDropped = 0
    public var bytesPerState: Double { Double(storedBytes) / Double(max(distinct, 1)) }
    public var tableBytesPerState: Double { Double(tableBytes) / Double(max(distinct, 1)) }
    public var statesPerSecond: Double { seconds > 0 ? Double(distinct) / seconds : 0 }
}

public enum ExploreOutcome: String, Sendable {
    /// Every interleaving explored; no violation.
    case complete
    /// A violation; `counterexample` reproduces it.
    case violation
    case stoppedAtMaxStates = "stopped at --max-states"
    case stoppedAtMaxDepth = "stopped at --max-depth"
    case stoppedAtTime = "stopped at --time"
    case interrupted
}

public struct ExploreResult {
    public var outcome: ExploreOutcome
    public var stats: ExploreStats
    public var violation: Violation?
    /// A shortest schedule (in transitions: operation starts plus single steps) that reaches the
    /// violation. For a liveness verdict it reaches the state from which the executor's drain
    /// (what `replay` does at the end of every schedule) hangs.
    public var counterexample: Schedule?
    public var counterexampleTransitions = 0
    /// The search was depth-first (`ExploreOptions.depthFirst`): an incomplete one covers no
    /// bound on the length of interleavings, only the states it reached.
    public var depthFirst = false
    /// The counterexample's transitions: an actor index (a step) or 0x80 | operation index.
    public var moves: [UInt8] = []
    /// With `collectVisited`: every distinct state's canonical words followed by its started mask.
    public var visited: Set<[UInt64]>? = nil
}

/// Bounded exhaustive exploration (breadth-first, with a visited set of canonical states) of
/// every interleaving of a scenario's operations over the same `World`, steps and oracles that
/// the fuzzer runs.
///
/// A transition is either the start of a not-yet-started operation (when its actor is free, as
/// `World.start` decides) or one atomic step of a runnable actor, followed by the per-step
/// oracles. A state where nothing can start and nothing can step is a schedule's end: the
/// quiescence oracles run, or, with actors still busy, the deadlock / hang-until-signal
/// classification. Liveness under a fair scheduler: at every state where no operation can
/// start and every runnable actor is a retrying one (`retries > 0`), the executor's
/// round-robin drain runs on a copy, exactly as `replay` would run it if the schedule ended
/// there; a drain that does not finish is the verdict (livelock, deadlock through SRCU,
/// hang-until-signal).
public enum Explorer {
    struct Node {
        var world: World
        var mask: UInt16
        var id: UInt32
        var depth: UInt16
        /// Sleep set: transitions (bit = actor index, or `startShift` (13) + operation index for a start) not to
        /// take from here.
        var sleep: UInt32 = 0
        /// Nonzero: a re-expansion of a visited state, taking only these transitions.
        var redo: UInt32 = 0
        /// The state's fingerprint (reduction: to find its stored sleep set).
        var fp: UInt64 = 0
        /// Its canonical components' hashes (a successor re-hashes only what changed).
        var comps = InlineArray<23, UInt64>(repeating: 0)
        /// Its timestamps' order.
        var ranks = Ranks()
        /// Depth-first: expanded, and waiting on the stack under its successors.
        var expanded = false
        /// Depth-first: a successor found already visited after it was built (see `batch`): popped
        /// without expansion.
        var dead = false
        static let worldOffset = MemoryLayout<Node>.offset(of: \Node.world)!
        static let compsOffset = MemoryLayout<Node>.offset(of: \Node.comps)!
        static let ranksOffset = MemoryLayout<Node>.offset(of: \Node.ranks)!
        /// The fingerprint of the node's world, filling its `comps` and `ranks` (and, given its
        /// parent's node, which this one was copied from, re-hashing only what changed).
        static func fingerprint(_ n: UnsafeMutablePointer<Node>, salt: UInt64, scratch: UnsafeMutablePointer<UInt64>,
                                parent: UnsafeMutablePointer<Node>? = nil, ranges: CanonicalComponents.Ranges? = nil,
                                stepped: Int = -1) -> UInt64 {
            let raw = UnsafeMutableRawPointer(n)
            let comps = (raw + compsOffset).assumingMemoryBound(to: UInt64.self)
            let ranks = (raw + ranksOffset).assumingMemoryBound(to: Ranks.self)
            let world = (raw + worldOffset).assumingMemoryBound(to: World.self)
            guard let parent, let ranges else { return world.pointee.fingerprint(salt: salt, scratch: scratch, comps: comps, ranks: ranks) }
            let pw = (UnsafeMutableRawPointer(parent) + worldOffset).assumingMemoryBound(to: World.self)
            return world.pointee.fingerprint(salt: salt, scratch: scratch, comps: comps, ranks: ranks, parent: pw, ranges: ranges, stepped: stepped)
        }
    }

    /// A stored payload (`FingerprintTable`: bits 0..10 the compact sleep set, see `SleepMap`)
    /// with this bit set is not what the state slept on yet: it waits, unexpanded, in the BFS
    /// frontier, and will be expanded with the stored set.
    static let pendingBit: UInt64 = 1 << UInt64(SleepMap.width)

    /// Transition bits of sleep sets: actor steps at 0..<13, operation starts at 13 + index.
    static let startShift = UInt32(Cap.actors)

    /// The child's sleep set after taking transition `t`: the members of `sleep` independent of it.
    /// `fps`: by transition bit (a pointer: a borrowed `InlineArray` is copied on subscript reads).
    @inline(__always) static func childSleep(_ t: Int, _ sleep: UInt32, _ fps: UnsafePointer<Footprint>) -> UInt32 {
        var z: UInt32 = 0
        var rest = sleep
        let ft = fps[t]
        while rest != 0 {
            let u = rest.trailingZeroBitCount
            rest &= rest - 1
            if ft.independent(of: fps[u]) { z |= 1 << UInt32(u) }
        }
        return z
    }

    /// Move encoding of the parent links: actor index, or 0x80 | operation index.
    static let startBit: UInt8 = 0x80

    public static func explore(_ scenario: Scenario, options o: ExploreOptions) -> ExploreResult {
        var r = search(scenario, options: o)
        // Depth-first found a violation: the shortest one is at most that long.
        if o.depthFirst, r.violation != nil {
            var b = o
            b.depthFirst = false
            b.maxDepth = r.counterexampleTransitions + 1
            b.progress = nil
            let s = search(scenario, options: b)
            if s.violation != nil, s.counterexample != nil {
                r.violation = s.violation
                r.counterexample = s.counterexample
                r.counterexampleTransitions = s.counterexampleTransitions
                r.moves = s.moves
            } else {
                // The bounded re-search ran out of --max-states/--time: the violation stands,
                // without a schedule.
                r.counterexample = nil
            }
        }
        // A liveness verdict is found at a state where every runnable actor retries; a schedule
        // may end earlier and still hang in the drain. Re-search up to that depth with the drain
        // run at every state where nothing can start, for the shortest such prefix.
        if let x = r.violation, x.invariant.isLiveness, !o.eagerLiveness {
            var e = o
            e.depthFirst = false
            e.eagerLiveness = true
            e.maxDepth = r.counterexampleTransitions + 1
            e.progress = nil
            let s = search(scenario, options: e)
            if s.violation != nil, s.counterexampleTransitions < r.counterexampleTransitions {
                r.violation = s.violation
                r.counterexample = s.counterexample
                r.counterexampleTransitions = s.counterexampleTransitions
                r.moves = s.moves
            }
        }
        return r
    }

    static func search(_ scenario: Scenario, options o: ExploreOptions) -> ExploreResult {
        precondition(scenario.ops.count <= Scenario.maxOps)
        let clock = ContinuousClock()
        let t0 = clock.now
        func elapsed() -> Double {
            let d = clock.now - t0
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        var o = o
        if o.collectVisited { o.exact = true }
        var stats = ExploreStats()
        var table = FingerprintTable()
        let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: BufferSink.capacity)
        defer { scratch.deallocate() }
        var exactSet = [[UInt64]: UInt64]()
        // Breadth-first parent links, on disk (depth-first keeps none).
        var links = ParentLog(onDisk: !o.depthFirst)
        if !o.depthFirst { links.append(parent: UInt32.max, move: 0) }
        let ops = scenario.ops
        let allMask: UInt16 = ops.count == 16 ? 0xFFFF : UInt16((1 << ops.count) - 1)
        var sleepMap = SleepMap()

        // Footprints of one expansion's transitions, by transition bit.
        let footprintSlots = Int(startShift) + Scenario.maxOps
        let footprints = UnsafeMutablePointer<Footprint>.allocate(capacity: footprintSlots)
        footprints.initialize(repeating: Footprint(), count: footprintSlots)
        defer { footprints.deallocate() }
        var w0 = World(config: o.config, variant: o.variant)
        let ranges = CanonicalComponents.ranges(for: w0)
        defer { ranges.list.deallocate(); ranges.groups.deallocate() }
        do {
            _ = table.insert(w0.fingerprint(salt: 0), payload: 0)
            if o.exact { exactSet[w0.canonicalWords() + [0]] = 0 }
        }
        var level = NodeBuffer()
        level.push(Node(world: w0, mask: 0, id: 0, depth: 0))
        level.last.pointee.fp = Node.fingerprint(level.last, salt: 0, scratch: scratch)
        var next = NodeBuffer(capacity: 64)
        let nodeBytes = MemoryLayout<Node>.stride
        var lastProgress = 0.0

        func path(to id: UInt32) -> [UInt8] {
            var moves: [UInt8] = []
            var i = id
            while i != 0 {
                let (p, m) = links.record(Int(i))
                moves.append(m)
                i = p
            }
            return moves.reversed()
        }
        func storedBytes() -> Int { table.bytes + (o.depthFirst ? 0 : links.memoryBytes) }
        /// `length`: depth-first keeps no parent links, only the length of the path it found.
        func finish(_ outcome: ExploreOutcome, _ v: Violation? = nil, moves: [UInt8] = [], length: Int? = nil) -> ExploreResult {
            stats.seconds = elapsed()
            stats.storedBytes = storedBytes()
            stats.tableBytes = table.bytes
            stats.diskBytes = links.diskBytes
            stats.parentLinksInMemory = !o.depthFirst && links.inMemory
            stats.sleepBits = sleepMap.used
            stats.sleepDropped = sleepMap.dropped
            var r = ExploreResult(outcome: outcome, stats: stats, violation: v)
            r.depthFirst = o.depthFirst
            if o.collectVisited { r.visited = Set(exactSet.keys) }
            if v != nil, let n = length {
                r.counterexampleTransitions = n
            } else if v != nil {
                r.counterexample = schedule(moves, ops)
                r.counterexampleTransitions = moves.count
                r.moves = moves
            }
            return r
        }

        /// Breadth-first with reduction: a state reached again while it still waits in the
        /// frontier (its stored payload has `pendingBit`) takes the intersection of the sleep
        /// sets it was reached with, instead of a re-expansion; it is expanded with the stored
        /// set.
        let merge = o.reduce && !o.depthFirst
        let pending = Explorer.pendingBit

        enum Added { case old, new, redo(UInt32), merged }
        /// Record a successor reached with sleep set `z` (every member has a compact bit: see
        /// `SleepMap.restrict`). `.redo(T)`: with reduction, a state already expanded, reached
        /// now with a sleep set that lacks transitions T it slept on before; T must be taken
        /// from it now (Godefroid's state caching with sleep sets), and it is stored with the
        /// intersection of the two sets. `.merged`: the state waits unexpanded in a frontier,
        /// and its stored sleep set was intersected with `z`.
        func add(_ c: inout World, _ m: UInt16, from: UInt32, move mv: UInt8, sleep z: UInt32, fp: UInt64) -> Added {
            let cz = o.reduce ? sleepMap.compact(z) : 0
            let (newFp, slot) = table.insert(fp, payload: cz | (merge ? pending : 0))
            var isNew = newFp
            var old: UInt64 = 0
            var key: [UInt64] = []
            if o.exact {
                key = c.canonicalWords() + [UInt64(m)]
                if let x = exactSet[key] {
                    isNew = false
                    old = x
                } else {
                    isNew = true
                    exactSet[key] = cz | (merge ? pending : 0)
                    if !newFp { stats.collisions += 1 }
                }
            } else if o.reduce && !newFp {
                old = table.payload(slot)
            }
            func store(_ v: UInt64) { if o.exact { exactSet[key] = v } else { table.setPayload(slot, v) } }
            if !isNew {
                guard o.reduce else { return .old }
                if old & pending != 0 {
                    store(old & (pending | cz))
                    return .merged
                }
                let redo = sleepMap.full(old) & ~z
                if redo == 0 { return .old }
                store(old & cz)
                stats.reexpanded += 1
                if !o.depthFirst { links.append(parent: from, move: mv) }
                return .redo(redo)
            }
            stats.distinct += 1
            if !o.depthFirst { links.append(parent: from, move: mv) }
            return .new
        }

        /// `verifyIndependence`: take transitions `t` and `u` (bits) from `w` in both orders and
        /// compare canonical states and verdicts.
        func verify(_ w: World, _ m: UInt16, _ t: Int, _ u: Int) {
            func take(_ x: World, _ m: UInt16, _ b: Int) -> (World, UInt16)? {
                var c = x
                if b < Cap.actors {
                    guard c.runnable(b) else { return nil }
                    c.step(b); c.checkStep()
                    return (c, m)
                }
                let i = b - Int(startShift)
                guard m & (1 << UInt16(i)) == 0, c.start(ops[i]) else { return nil }
                return (c, m | (1 << UInt16(i)))
            }
            stats.independenceChecks += 1
            var why: String? = nil
            if let (wt, mt) = take(w, m, t), let (wu, mu) = take(w, m, u) {
                let tu = take(wt, mt, u), ut = take(wu, mu, t)
                if let (a0, ma) = tu, let (b0, mb) = ut {
                    var a = a0, b = b0
                    if (a.violation == nil) != (b.violation == nil) || (a.violation != nil && a.violation!.invariant != b.violation!.invariant) {
                        why = "different verdicts"
                    } else if wt.violation == nil && wu.violation == nil && a.violation == nil
                                && (ma != mb || a.canonicalWords() != b.canonicalWords()) {
                        why = "different states"
                    }
                } else {
                    why = "one order disables the other transition"
                }
            } else {
                why = "a transition called enabled is not"
            }
            if let why {
                stats.independenceErrors += 1
                if stats.firstIndependenceError == nil {
                    func name(_ b: Int) -> String {
                        b < Cap.actors ? "\(actorNames[b]) at \(PC.rows[w.actors[b].pc]?.label ?? "?") (\(w.actors[b].pc))"
                                       : "start \(ops[b - Int(startShift)].text)"
                    }
                    stats.firstIndependenceError = "\(name(t)) and \(name(u)): \(why)"
                }
            }
        }

        func verifyAll(_ w: World, _ m: UInt16, _ t: Int, _ z: UInt32) {
            var rest = z
            while rest != 0 {
                let u = rest.trailingZeroBitCount
                rest &= rest - 1
                verify(w, m, t, u)
            }
        }

        /// What became of a successor built in place at the end of `out`. `.built`: fingerprinted
        /// and left in `out`, its table bucket prefetched, to be looked up by `commitBatch`.
        enum Child { case disabled, violation(Violation), built }
        /// A state's successors are all built (and their table buckets prefetched) before any is
        /// looked up in the visited table, so that the table's cache misses overlap with
        /// building the next ones; a successor found visited then stays in `out`, `dead` (popped
        /// from the depth-first stack, not packed into the next breadth-first level). The lookups
        /// are in the same order as when each is looked up as it is built, so the search is the same.
        /// The successors built and not yet looked up: index in `out`, move.
        let built = UnsafeMutablePointer<(Int, UInt8)>.allocate(capacity: footprintSlots)
        defer { built.deallocate() }
        var pendingCount = 0
        /// Take transition `bit` (an actor index, or `startShift` + operation index) from `node`:
        /// the successor is built in place as a copy of `node` appended to `out` (one copy of the
        /// world per transition), and removed again unless it is to be expanded.
        func child(_ node: UnsafeMutablePointer<Node>, _ bit: Int, sleep: UInt32, fps: UnsafePointer<Footprint>,
                   into out: inout NodeBuffer, d: UInt16) -> Child {
            let c = out.appendCopy(of: node)
            let isStart = bit >= Int(startShift)
            let z0 = o.reduce ? Explorer.childSleep(bit, sleep, fps) : 0
            var m = node.pointee.mask
            if isStart {
                let i = bit - Int(startShift)
                guard c.pointee.world.start(ops[i]) else { out.removeLast(); return .disabled }
                m |= 1 << UInt16(i)
                stats.transitions += 1
            } else {
                c.pointee.world.step(bit)
                c.pointee.world.checkStep()
                stats.transitions += 1
                if let v = c.pointee.world.violation { out.removeLast(); return .violation(v) }
            }
            let cz = o.reduce ? sleepMap.restrict(z0) : 0
            if o.verifyIndependence { verifyAll(node.pointee.world, node.pointee.mask, bit, cz) }
            let fp = Node.fingerprint(c, salt: UInt64(m), scratch: scratch, parent: node, ranges: ranges,
                                      stepped: isStart ? -1 : bit)
            if o.verifyFingerprints {
                var full = c.pointee.world
                if full.fingerprint(salt: UInt64(m)) != fp { stats.fingerprintErrors += 1 }
                for k in 0..<CanonicalComponents.count where c.pointee.comps[k] != node.pointee.comps[k] {
                    stats.componentsChanged |= 1 << UInt32(k)
                }
            }
            let mv = isStart ? startBit | UInt8(bit - Int(startShift)) : UInt8(bit)
            c.pointee.mask = m
            c.pointee.expanded = false
            c.pointee.dead = false
            c.pointee.depth = d
            c.pointee.sleep = cz
            c.pointee.fp = fp
            table.prefetch(fp)
            built[pendingCount] = (out.count - 1, mv)
            pendingCount += 1
            return .built
        }

        /// Look up the successors `child` built, in the order they were built; one not to be
        /// expanded is marked `dead`.
        func commitBatch(_ node: UnsafeMutablePointer<Node>, _ out: inout NodeBuffer) {
            for k in 0..<pendingCount {
                let (i, mv) = built[k]
                let c = out.base + i
                switch add(&c.pointee.world, c.pointee.mask, from: node.pointee.id, move: mv, sleep: c.pointee.sleep, fp: c.pointee.fp) {
                case .new: c.pointee.redo = 0
                case .redo(let rd): c.pointee.redo = rd
                case .old, .merged:
                    c.pointee.dead = true
                    continue
                }
                c.pointee.id = o.depthFirst ? 0 : UInt32(links.count - 1)
            }
            pendingCount = 0
        }

        var expandedHere = 0
        /// Expand one state: its successors go to `out`; a result when the search ends here.
        func expand(_ np: UnsafeMutablePointer<Node>, into out: inout NodeBuffer, frontier: Int) -> ExploreResult? {
            stats.expanded += 1
            expandedHere += 1
            if stats.expanded & 1023 == 0 {
                let t = elapsed()
                if t >= o.timeLimit { return finish(.stoppedAtTime) }
                if o.shouldStop() { return finish(.interrupted) }
                if let p = o.progress, t - lastProgress >= o.progressInterval {
                    lastProgress = t
                    var s = stats
                    s.seconds = t
                    s.frontier = frontier
                    s.storedBytes = storedBytes()
                    p(s)
                }
            }
            let d = np.pointee.depth &+ 1
            let redo = np.pointee.redo
            if merge && redo == 0 {
                // Expanded now, with the sleep set stored (the intersection of those it was
                // reached with); from here on, that is what it slept on.
                if o.exact {
                    let key = np.pointee.world.canonicalWords() + [UInt64(np.pointee.mask)]
                    let v = exactSet[key]!
                    np.pointee.sleep = sleepMap.full(v)
                    exactSet[key] = v & ~pending
                } else {
                    let slot = table.find(np.pointee.fp)
                    let v = table.payload(slot)
                    np.pointee.sleep = sleepMap.full(v)
                    table.setPayload(slot, v & ~pending)
                }
            }
            var canStart = false
            var runnable = 0, retrying = 0
            var sleep = np.pointee.sleep
            // Footprints of the transitions that are enabled or asleep here, by transition bit.
            let fps = footprints
            fps.update(repeating: Footprint(), count: footprintSlots)
            var en: UInt32 = 0
            for a in 0..<Cap.actors where np.pointee.world.actors[a].pc != .idle && np.pointee.world.runnable(a) { en |= 1 << UInt32(a) }
            if o.reduce && !o.assumeAllIndependent {
                for a in 0..<Cap.actors where en & (1 << UInt32(a)) != 0 { fps[a] = np.pointee.world.stepFootprint(a) }
                for i in 0..<ops.count where np.pointee.mask & (1 << UInt16(i)) == 0 {
                    fps[Int(startShift) + i] = np.pointee.world.startFootprint(ops[i])
                }
            }
            // Successors: operation starts, then actor steps.
            if np.pointee.mask != allMask {
                for i in 0..<ops.count where np.pointee.mask & (1 << UInt16(i)) == 0 {
                    let bit: UInt32 = 1 << (startShift + UInt32(i))
                    if redo != 0 ? redo & bit == 0 : sleep & bit != 0 {
                        // Asleep: enabled (a sleeping transition stays enabled), taken elsewhere.
                        if sleep & bit != 0 { canStart = true; stats.slept += 1 }
                        continue
                    }
                    if case .disabled = child(np, Int(startShift) + i, sleep: sleep, fps: fps, into: &out, d: d) { continue }
                    canStart = true
                    sleep |= bit
                }
            }
            for a in 0..<Cap.actors where en & (1 << UInt32(a)) != 0 {
                runnable += 1
                if np.pointee.world.actors[a].retries > 0 { retrying += 1 }
                let bit: UInt32 = 1 << UInt32(a)
                if redo != 0 ? redo & bit == 0 : sleep & bit != 0 {
                    if sleep & bit != 0 { stats.slept += 1 }
                    continue
                }
                if case .violation(let v) = child(np, a, sleep: sleep, fps: fps, into: &out, d: d) {
                    if o.target == nil || o.target == v.invariant {
                        pendingCount = 0
                        if o.depthFirst { return finish(.violation, v, length: Int(d)) }
                        return finish(.violation, v, moves: path(to: np.pointee.id) + [UInt8(a)])
                    }
                    // Pruned (another invariant, `target` mode): not put to sleep. The
                    // per-step state oracles read more than the footprints cover, so a later
                    // sibling may clear the condition, and the commuted order must be explored.
                    continue
                }
                sleep |= bit
            }
            commitBatch(np, &out)
            // A re-expansion only adds transitions; the end-of-schedule checks of this state ran
            // when it was first expanded.
            if redo != 0 { return nil }
            // A schedule may end here: run what replay runs at the end of a schedule.
            if !canStart && (runnable == 0 || retrying == runnable || o.eagerLiveness) {
                stats.livenessChecks += 1
                var c = np.pointee.world
                var obs = NoObserver()
                let drained = Checker.drain(&c, observer: &obs)
                if c.violation == nil { c.checkQuiescent() }
                // Only what the drain alone can show counts here: a liveness verdict, or the
                // quiescence check of a state that is already an end. A safety violation on
                // one of the drain's steps is on a path the search itself walks, and is
                // reported there, at its true length.
                if let v = c.violation, v.invariant.isLiveness || drained == 0,
                   o.target == nil || o.target == v.invariant {
                    if o.depthFirst { return finish(.violation, v, length: Int(np.pointee.depth)) }
                    return finish(.violation, v, moves: path(to: np.pointee.id))
                }
            }
            if stats.distinct >= o.maxStates { return finish(.stoppedAtMaxStates) }
            return nil
        }

        if o.depthFirst {
            // Depth-first: the frontier is a stack, so memory is the visited table plus about
            // depth x branching worlds. Counterexamples are not shortest.
            var stack = level
            level = NodeBuffer(capacity: 1)
            // A state is expanded where it lies, on top of the stack, its successors pushed
            // above it (room for all of them is reserved first, so nothing moves); it stays
            // there, marked expanded, until they are done. No world is copied for an expansion.
            var deepest = 0
            var limited = false
            while stack.count > 0 {
                if stack.last.pointee.expanded || stack.last.pointee.dead { stack.removeLast(); continue }
                let depth = Int(stack.last.pointee.depth)
                deepest = max(deepest, depth)
                if depth >= o.maxDepth { limited = true; stack.removeLast(); continue }
                stats.depth = deepest
                stack.reserve(Cap.actors + ops.count)
                let node = stack.last
                node.pointee.expanded = true
                if let r = expand(node, into: &stack, frontier: stack.count) { return r }
                if stack.last == node { stack.removeLast() }
                stats.peakFrontier = max(stats.peakFrontier, stack.count)
                stats.peakFrontierBytes = max(stats.peakFrontierBytes, stack.capacity * nodeBytes)
            }
            stats.depth = deepest
            return finish(limited ? .stoppedAtMaxDepth : .complete)
        }
        // Breadth-first: a level's states wait packed (`PackedNodes`: each as its 64-byte blocks that
        // differ from the state packed before it); one at a time is unpacked into `cur` and
        // expanded, its successors built in `next` (a few nodes, in cache) and packed at once.
        var packed = PackedNodes<Node>(template: level.base)
        var packedNext = PackedNodes<Node>(template: level.base)
        packed.append(level.base)
        var cur = NodeBuffer(capacity: 1)
        cur.count = 1
        // The expansion writes to its node's header (the sleep set): those bytes are put back
        // before the next state is unpacked over it.
        let headerFirst = MemoryLayout<Node>.offset(of: \Node.mask)! & ~63
        let headerEnd = min((MemoryLayout<Node>.offset(of: \Node.fp)! + 8 + 63) & ~63, nodeBytes)
        let header = UnsafeMutableRawPointer.allocate(byteCount: headerEnd - headerFirst, alignment: 64)
        defer { header.deallocate() }
        let fpWord = MemoryLayout<Node>.offset(of: \Node.fp)! / 8
        // verifyFingerprints: every state of the next level is also kept whole, and each state
        // unpacked is compared with it.
        var whole = NodeBuffer(capacity: 1), wholeNext = NodeBuffer(capacity: 1)
        if o.verifyFingerprints { _ = whole.appendCopy(of: level.base) }
        while packed.count > 0 {
            if stats.depth >= o.maxDepth { return finish(.stoppedAtMaxDepth) }
            var at = 0
            for ni in 0..<packed.count {
                at = packed.unpack(at: at, into: cur.base)
                if o.verifyFingerprints, memcmp(cur.base, whole.base + ni, MemoryLayout<Node>.size) != 0 { stats.fingerprintErrors += 1 }
                // The next state's visited-table entry (read when it is expanded) is prefetched.
                if merge, ni + 1 < packed.count, let fp = packed.word(fpWord, ofRecordAt: at) { table.prefetch(fp) }
                header.copyMemory(from: UnsafeRawPointer(cur.base) + headerFirst, byteCount: headerEnd - headerFirst)
                if let r = expand(cur.base, into: &next, frontier: packed.count - ni + packedNext.count + next.count) { return r }
                (UnsafeMutableRawPointer(cur.base) + headerFirst).copyMemory(from: header, byteCount: headerEnd - headerFirst)
                for k in 0..<next.count where !next.base[k].dead {
                    packedNext.append(next.base + k)
                    if o.verifyFingerprints { _ = wholeNext.appendCopy(of: next.base + k) }
                }
                next.count = 0
            }
            stats.depth += 1
            stats.peakFrontier = max(stats.peakFrontier, packedNext.count)
            stats.peakFrontierBytes = max(stats.peakFrontierBytes, packed.capacityBytes + packedNext.capacityBytes)
            if (packed.used + packedNext.used) * 8 > stats.peakFrontierUsedBytes {
                stats.peakFrontierUsedBytes = (packed.used + packedNext.used) * 8
                stats.packedBytesPerState = Double(stats.peakFrontierUsedBytes) / Double(max(packed.count + packedNext.count, 1))
            }
            swap(&packed, &packedNext)
            packedNext.removeAll()
            if o.verifyFingerprints { swap(&whole, &wholeNext); wholeNext.count = 0 }
        }
        return finish(.complete)

    }

    /// The raw step rate the search is measured against: random walks over the same
    /// transitions (a random enabled start or step, per-step oracles, restart at a schedule's
    /// end) with no copying, canonical form or visited set. Returns transitions per second.
    public static func randomWalkRate(_ scenario: Scenario, options o: ExploreOptions, seconds: Double, seed: UInt64 = 1) -> Double {
        let clock = ContinuousClock()
        let t0 = clock.now
        var rng = SplitMix64(stream: seed)
        var transitions = 0
        let w0 = World(config: o.config, variant: o.variant)
        var w = w0
        var mask: UInt16 = 0
        var walk = 0
        var enabled = InlineArray<32, UInt8>(repeating: 0)
        while true {
            var n = 0
            for i in 0..<scenario.ops.count where mask & (1 << UInt16(i)) == 0 {
                enabled[n] = startBit | UInt8(i); n += 1
            }
            for a in 0..<Cap.actors where w.runnable(a) { enabled[n] = UInt8(a); n += 1 }
            var moved = false
            while n > 0 && !moved {
                let k = Int(rng.next() % UInt64(n))
                let m = enabled[k]
                if m & startBit != 0 {
                    if w.start(scenario.ops[Int(m & ~startBit)]) { mask |= 1 << UInt16(m & ~startBit); moved = true }
                    else { enabled[k] = enabled[n - 1]; n -= 1 }
                } else {
                    w.step(Int(m)); w.checkStep(); moved = true
                }
            }
            if moved { transitions += 1; walk += 1 }
            if !moved || w.violation != nil || walk > 10_000 {
                w = w0; mask = 0; walk = 0
                if transitions & 255 == 0 || !moved {
                    let d = clock.now - t0
                    let t = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
                    if t >= seconds { return Double(transitions) / t }
                }
            }
        }
    }

    /// The schedule of a move sequence: starts as the scenario's events, runs of one actor's
    /// steps merged into `step actor xN` (N <= 16).
    public static func schedule(_ moves: [UInt8], _ ops: [Event]) -> Schedule {
        var ev: [Event] = []
        for m in moves {
            if m & startBit != 0 { ev.append(ops[Int(m & ~startBit)]); continue }
            if let last = ev.last, last.kind == .step, Int(last.x) == Int(m), last.y < 16 {
                ev[ev.count - 1].y += 1
            } else {
                ev.append(Event(kind: .step, x: m, y: 1))
            }
        }
        return Schedule(events: ev)
    }
}

/// Anonymous memory (`mmap`) that grows by `mremap` on Linux (the pages move, the bytes are not
/// copied), with transparent huge pages requested (from 4 MiB) where the system grants them on
/// request: a breadth-first level is up to gigabytes, written once and read once.
struct MappedBlock: ~Copyable {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var bytes: Int

    init(bytes n: Int) {
        bytes = Self.rounded(n)
        base = Self.map(bytes)
    }
    deinit { munmap(base, bytes) }

    static func rounded(_ n: Int) -> Int { (max(n, 1) + 4095) & ~4095 }
    static func map(_ n: Int) -> UnsafeMutableRawPointer {
        let p = mmap(nil, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let p, p != MAP_FAILED else { fatalError("faultsync check: out of memory for \(n) bytes of frontier") }
        advise(p, n)
        return p
    }
    static func advise(_ p: UnsafeMutableRawPointer, _ n: Int) {
        #if os(Linux)
        if n >= 4 << 20 { _ = madvise(p, n, 14 /* MADV_HUGEPAGE */) }
        #endif
    }

    /// At least `n` bytes, the first `bytes` kept.
    mutating func grow(to n0: Int) {
        let n = Self.rounded(n0)
        guard n > bytes else { return }
        #if os(Linux)
        let q = faultsync_mremap(base, bytes, n)
        guard let q, q != MAP_FAILED else { fatalError("faultsync check: out of memory for \(n) bytes of frontier") }
        Self.advise(q, n)
        base = q
        #else
        let q = Self.map(n)
        q.copyMemory(from: base, byteCount: bytes)
        munmap(base, bytes)
        base = q
        #endif
        bytes = n
    }
}

/// A breadth-first level: nodes packed one after another, each as a bitmap of which of its
/// 64-byte blocks differ from the record appended before it (the first: from a template node, the
/// initial state's) followed by those blocks. A level is written and read in order, and states
/// next to each other in it are successors of the same or of neighbouring states, so they differ
/// in a few blocks (their header, component hashes, the actor that stepped): 527 bytes per
/// state of ~3.5 KB on the 5-operation benchmark, against 968 packed against the initial state.
/// Packing is exact: unpacking the records in order gives back every byte. Generic over the
/// record (`Explorer.Node` in the search), specialized to constant sizes, so that tests can also
/// pack records whose bitmap takes more than one word.
struct PackedNodes<Record>: ~Copyable {
    /// 8-byte words per record, 8-word blocks (the last one possibly shorter), bitmap words.
    @inline(__always) var words: Int { MemoryLayout<Record>.stride / 8 }
    @inline(__always) var blocks: Int { (words + 7) / 8 }
    @inline(__always) var maskWords: Int { (blocks + 63) / 64 }
    private var block = MappedBlock(bytes: 1 << 16)
    private let template: UnsafeMutablePointer<UInt64>
    /// The last record appended (the template when there is none).
    private let last: UnsafeMutablePointer<UInt64>
    /// Words in use.
    private(set) var used = 0
    private(set) var count = 0
    var capacityBytes: Int { block.bytes }

    /// Records packed starting from the one at `t`.
    init(template t: UnsafePointer<Record>) {
        precondition(_isPOD(Record.self) && MemoryLayout<Record>.stride % 8 == 0)
        let n = MemoryLayout<Record>.stride
        template = .allocate(capacity: n / 8)
        last = .allocate(capacity: n / 8)
        UnsafeMutableRawPointer(template).copyMemory(from: t, byteCount: n)
        UnsafeMutableRawPointer(last).copyMemory(from: t, byteCount: n)
    }
    deinit { template.deallocate(); last.deallocate() }

    mutating func removeAll() {
        used = 0
        count = 0
        UnsafeMutableRawPointer(last).copyMemory(from: template, byteCount: words * 8)
    }

    mutating func append(_ node: UnsafePointer<Record>) {
        let raw = UnsafeRawPointer(node)
        let words = self.words, blocks = self.blocks, maskWords = self.maskWords
        let most = maskWords + words
        if (used + most) * 8 > block.bytes { block.grow(to: max(block.bytes * 2, (used + most) * 8)) }
        let base = block.base.assumingMemoryBound(to: UInt64.self)
        // The record's bytes are read as words through a raw pointer (no rebinding of its memory);
        // a whole block is compared and copied as one 64-byte vector, in one pass, and what
        // differs also goes to `last`.
        @inline(__always) func src(_ i: Int) -> UInt64 { raw.load(fromByteOffset: i * 8, as: UInt64.self) }
        let t = last, traw = UnsafeMutableRawPointer(last)
        let map = base + used
        var out = map + maskWords
        for m in 0..<maskWords {
            var bits: UInt64 = 0
            let first = m * 64, inMap = min(64, blocks - first)
            for k in 0..<inMap {
                let lo = (first + k) * 8
                if lo + 8 <= words {
                    let x = raw.loadUnaligned(fromByteOffset: lo * 8, as: SIMD8<UInt64>.self)
                    let y = traw.loadUnaligned(fromByteOffset: lo * 8, as: SIMD8<UInt64>.self)
                    if any(x .!= y) {
                        UnsafeMutableRawPointer(out).storeBytes(of: x, as: SIMD8<UInt64>.self)
                        traw.storeBytes(of: x, toByteOffset: lo * 8, as: SIMD8<UInt64>.self)
                        out += 8
                        bits |= 1 << UInt64(k)
                    }
                } else {
                    var x: UInt64 = 0
                    for j in lo..<words { x |= src(j) ^ t[j] }
                    if x != 0 {
                        for j in lo..<words { out.pointee = src(j); t[j] = src(j); out += 1 }
                        bits |= 1 << UInt64(k)
                    }
                }
            }
            map[m] = bits
        }
        used = out - base
        count += 1
    }

    /// The record packed at word `at` into `node`; returns where the next one starts. `node` must
    /// hold the record unpacked before it, byte for byte (for the first one, at 0, anything: it
    /// is unpacked onto the template), so a level is unpacked in order into one node; a caller that
    /// changes the node in between puts the bytes back (`restore`).
    func unpack(at: Int, into node: UnsafeMutablePointer<Record>) -> Int {
        let raw = UnsafeMutableRawPointer(node)
        let words = self.words, maskWords = self.maskWords
        if at == 0 { raw.copyMemory(from: template, byteCount: words * 8) }
        let base = block.base.assumingMemoryBound(to: UInt64.self)
        // Written as words through a raw pointer (no rebinding of the record's memory).
        @inline(__always) func put(_ i: Int, _ v: UInt64) { raw.storeBytes(of: v, toByteOffset: i * 8, as: UInt64.self) }
        var inp = base + at + maskWords
        for m in 0..<maskWords {
            var bits = base[at + m]
            while bits != 0 {
                let lo = (m * 64 + bits.trailingZeroBitCount) * 8
                if lo + 8 <= words {
                    let x = UnsafeRawPointer(inp).loadUnaligned(as: SIMD8<UInt64>.self)
                    raw.storeBytes(of: x, toByteOffset: lo * 8, as: SIMD8<UInt64>.self)
                    inp += 8
                } else {
                    for j in lo..<words { put(j, inp.pointee); inp += 1 }
                }
                bits &= bits - 1
            }
        }
        return inp - base
    }

    /// Word `i` of the record packed at `at`, read where it lies without unpacking the record;
    /// nil when its block was not packed (the word is the previous record's).
    func word(_ i: Int, ofRecordAt at: Int) -> UInt64? {
        let base = block.base.assumingMemoryBound(to: UInt64.self)
        let b = i / 8, m = b / 64, k = b % 64
        guard (base[at + m] >> UInt64(k)) & 1 != 0 else { return nil }
        var before = 0
        for j in 0..<m { before += base[at + j].nonzeroBitCount }
        before += (base[at + m] & ((1 << UInt64(k)) - 1)).nonzeroBitCount
        return base[at + maskWords + before * 8 + i % 8]
    }
}

/// The depth-first stack, and a breadth-first expansion's successors: whole nodes (worlds) in
/// one growable block, reached through pointers so that a successor is built in place
/// (`appendCopy`, then stepped) and no accessor copies a world. `Node` is trivially copyable
/// (plain values only), so moving and dropping need no per-element work.
struct NodeBuffer: ~Copyable {
    private var block: MappedBlock
    var base: UnsafeMutablePointer<Explorer.Node> { block.base.assumingMemoryBound(to: Explorer.Node.self) }
    var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 256) {
        precondition(_isPOD(Explorer.Node.self))
        self.capacity = max(capacity, 1)
        block = MappedBlock(bytes: self.capacity * MemoryLayout<Explorer.Node>.stride)
        block.base.bindMemory(to: Explorer.Node.self, capacity: self.capacity)
    }

    var last: UnsafeMutablePointer<Explorer.Node> { base + (count - 1) }

    private mutating func reserveOne() { reserve(1) }

    /// Room for `extra` more elements: until then, appending moves nothing.
    mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var c = capacity * 2
        while c < count + extra { c *= 2 }
        block.grow(to: c * MemoryLayout<Explorer.Node>.stride)
        block.base.bindMemory(to: Explorer.Node.self, capacity: c)
        capacity = c
    }

    /// Append a copy of `*n`; returns the new element. `n` may point into this buffer only when
    /// room was reserved (`reserve`).
    @inline(__always) mutating func appendCopy(of n: UnsafePointer<Explorer.Node>) -> UnsafeMutablePointer<Explorer.Node> {
        reserveOne()
        let p = base + count
        UnsafeMutableRawPointer(p).copyMemory(from: n, byteCount: MemoryLayout<Explorer.Node>.size)
        count += 1
        return p
    }
    mutating func push(_ n: Explorer.Node) {
        reserveOne()
        (base + count).initialize(to: n)
        count += 1
    }
    @inline(__always) mutating func removeLast() { count -= 1 }
}
