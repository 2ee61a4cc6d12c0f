import XCTest
@testable import FaultSync

/// The exhaustive checker (`faultsync check`): its canonical form, its proofs, its
/// counterexamples, and agreement with the executor that the fuzzer runs.
final class ExplorerTests: XCTestCase {
    func scenario(_ lines: String...) -> Scenario { Scenario(schedule: sched(lines.joined(separator: "\n"))) }

    func explore(_ s: Scenario, _ v: Variant = .none, fixes: FixSet = .all, exact: Bool = false,
                 maxStates: Int = 5_000_000) -> ExploreResult {
        var o = ExploreOptions()
        o.variant = v
        o.config.fixes = fixes
        o.exact = exact
        o.maxStates = maxStates
        return Explorer.explore(s, options: o)
    }

    // MARK: canonical form

    /// Every stored property of the world and its parts is written or deliberately omitted: a
    /// new field cannot be forgotten (which would merge states that differ).
    func testCanonicalFormCoversEveryStoredProperty() {
        var w = World()
        let samples: [(String, Any)] = [("World", w), ("Actor", w.actors[0]), ("Root", w.roots[0]), ("SPTE", SPTE()),
                                        ("HostPTE", HostPTE()), ("MemslotObj", w.objs[0]), ("Container", w.containers[0])]
        for (type, value) in samples {
            let labels = Set(Mirror(reflecting: value).children.compactMap(\.label))
            let known = Canonical.written[type, default: []].union(Canonical.omitted[type, default: []])
            XCTAssertEqual(labels.subtracting(known), [], "\(type): stored properties the canonical form neither writes nor omits")
            XCTAssertEqual(known.subtracting(labels), [], "\(type): names in Canonical that are not stored properties")
        }
        XCTAssertLessThanOrEqual(w.canonicalWords().count, 344)
    }

    /// Negative control: changing a field the model reads changes the fingerprint; changing only
    /// what the canonical form leaves out (the clock, message-only ghosts, retries beyond 1,
    /// timestamp values with the same order) does not.
    func testFingerprintSeesModelStateAndIgnoresOnlyMessageGhosts() {
        let (_, base) = world("fault vcpu0 gfn=9 shared\nstep vcpu0 x3\ndelete slot=1\nstep memslot x4")
        var b = base
        let fp = b.fingerprint()
        let changes: [(String, (inout World) -> Void)] = [
            ("actor pc", { $0.actors[0].pc = .f7Lock }),
            ("mmu_invalidate_seq", { $0.seq &+= 1 }),
            ("host PTE version", { $0.host[17].version &+= 1 }),
            ("SPTE pfn", { $0.roots[0].leaf[3] = SPTE(present: true, isPrivate: false, pfn: 9, hva: 3, incarnation: 1) }),
            ("freed pfn", { $0.markFreed($0.host[17].pfn) }),
            ("retries 0 -> 1", { $0.actors[1].retries = 1 }),
            ("signal pending", { $0.actors[0].signalPending = true }),
            ("SRCU reader order", { $0.actors[1].srcuStart = 1 }),   // before every other stamp
            ("pending flush: the walk's own", { $0.actors[2].tlbFlush = TLBFlush.local }),
            ("pending flush: the handler calls'", { $0.actors[2].tlbFlush = TLBFlush.ret }),
            ("pending flush: earlier roots' (a variant's)", { $0.actors[2].tlbFlush = TLBFlush.earlierRoots }),
            ("zap walk: root", { $0.actors[2].zapRoot = 1 }),
            ("zap walk: roots left", { $0.actors[2].zapRootsLeft = 2 }),
            ("zap walk: start", { $0.actors[2].zapStart = 3 }),
        ]
        for (what, f) in changes {
            var c = base
            f(&c)
            XCTAssertNotEqual(c.fingerprint(), fp, "fingerprint ignores \(what)")
        }
        let same: [(String, (inout World) -> Void)] = [
            ("clock", { $0.now &+= 100 }),
            ("lookupAt", { $0.actors[0].lookupAt &+= 5 }),
            ("changedAt", { $0.host[3].changedAt = 1234 }),
            ("retries 1 -> 7", { $0.actors[0].retries = 1 }),
        ]
        var r1 = base; r1.actors[0].retries = 1
        let fpRetry = r1.fingerprint()
        for (what, f) in same {
            var c = base
            f(&c)
            if what.hasPrefix("retries") { c.actors[0].retries = 7; XCTAssertEqual(c.fingerprint(), fpRetry, what); continue }
            XCTAssertEqual(c.fingerprint(), fp, "fingerprint depends on \(what)")
        }
    }

    // MARK: proofs

    func testCorrectModelIsProvenOverEveryMenuPair() {
        for s in ScenarioMenu.scenarios(upTo: 2) {
            let r = explore(s)
            XCTAssertEqual(r.outcome, .complete, "\(s.oneLine): \(r.violation?.message ?? "")")
            // (a signal with no ioctl in flight is never delivered: nothing else happens)
            if !s.ops.allSatisfy({ $0.kind == .signal }) { XCTAssertGreaterThan(r.stats.distinct, 1, s.oneLine) }
        }
    }

    func testExactModeCountsTheSameStates() {
        for s in [scenario("fault vcpu0 gfn=9 shared", "remap hva=17 pages=1", "delete slot=1"),
                  scenario("fault vcpu1 gfn=9 shared prefault", "nx-toggle", "signal vcpu1")] {
            let h = explore(s), e = explore(s, exact: true)
            XCTAssertEqual(h.outcome, .complete)
            XCTAssertEqual(e.outcome, .complete)
            XCTAssertEqual(h.stats.distinct, e.stats.distinct, s.oneLine)
            XCTAssertEqual(e.stats.collisions, 0)
        }
    }

    /// Depth-first search visits the same states and reaches the same verdicts; after its
    /// breadth-first re-search, the same shortest length.
    func testDepthFirstAgreesWithBreadthFirst() throws {
        var scenarios: [(Scenario, Variant)] = [
            (scenario("fault vcpu0 gfn=9 shared", "remap hva=17 pages=1", "delete slot=1"), .none),
            (scenario("fault vcpu1 gfn=9 shared prefault", "nx-toggle", "attr gfn=8 pages=1 private"), .none),
        ]
        for v in [Variant.noSeqRecheck, .noSynchronizeSrcu, .seqSnapshotInt32, .hostWalkDoubleRead, .prefaultRetryHoldsSrcu] {
            let url = repoRoot.appendingPathComponent("corpus/regressions/\(v.name)/litmus.txt")
            scenarios.append((Scenario(schedule: sched(try String(contentsOf: url, encoding: .utf8))), v))
        }
        for (s, v) in scenarios {
            var o = ExploreOptions()
            o.variant = v
            let b = Explorer.explore(s, options: o)
            o.depthFirst = true
            let d = Explorer.explore(s, options: o)
            XCTAssertEqual(b.outcome, d.outcome, "\(v.name): \(s.oneLine)")
            XCTAssertEqual(b.violation?.invariant, d.violation?.invariant, "\(v.name): \(s.oneLine)")
            XCTAssertEqual(b.counterexampleTransitions, d.counterexampleTransitions, "\(v.name): \(s.oneLine)")
            if b.outcome == .complete { XCTAssertEqual(b.stats.distinct, d.stats.distinct, s.oneLine) }
        }
    }

    func testBoundsGiveAnIncompleteStatement() {
        let s = scenario("fault vcpu0 gfn=9 shared", "remap hva=17 pages=1", "delete slot=1")
        let r = explore(s, maxStates: 100)
        XCTAssertEqual(r.outcome, .stoppedAtMaxStates)
        XCTAssertNil(r.violation)
        var o = ExploreOptions()
        o.maxDepth = 5
        XCTAssertEqual(Explorer.explore(s, options: o).outcome, .stoppedAtMaxDepth)
    }

    // MARK: counterexamples

    /// A breadth-first counterexample found past the parent-link file's write buffer is rebuilt
    /// from links read back from disk (`ParentLog`), and replays; the same with the links in
    /// memory (depth-first's re-search) gives the same length.
    func testCounterexampleFromLinksOnDisk() {
        let s = scenario("fault vcpu0 gfn=9 shared", "remap hva=17 pages=1", "delete slot=1", "fault vcpu1 gfn=9 shared prefault")
        let r = explore(s, .noInProgressCheck)
        XCTAssertEqual(r.outcome, .violation)
        XCTAssertGreaterThan(r.stats.distinct, 2 * ParentLog.bufferRecords)
        XCTAssertGreaterThan(r.stats.diskBytes, 0)
        XCTAssertFalse(r.stats.parentLinksInMemory)
        guard let ce = r.counterexample, let x = r.violation else { return XCTFail("no counterexample") }
        XCTAssertEqual(Checker.check(ce.bytes, variant: .noInProgressCheck).violation?.invariant, x.invariant)
        XCTAssertEqual(Minimizer.length(ce, variant: .noInProgressCheck), r.counterexampleTransitions)
    }

    /// Every variant's violation is found from the operations of its litmus schedule; the
    /// counterexample replays to the same invariant, the invariant is one the variant is meant
    /// to break, and (safety violations) it is no longer than the litmus itself.
    func testEveryVariantIsFoundWithAShortestReplayableCounterexample() throws {
        for v in Variant.allCases where v != .none {
            let dir = repoRoot.appendingPathComponent("corpus/regressions/\(v.name)")
            let text = try String(contentsOf: dir.appendingPathComponent("litmus.txt"), encoding: .utf8)
            let litmus = sched(text)
            let r = explore(Scenario(schedule: litmus), v)
            guard r.outcome == .violation, let x = r.violation, let ce = r.counterexample else {
                XCTFail("\(v.name): checker found no violation (\(r.outcome))"); continue
            }
            XCTAssertTrue(v.violates.contains(x.invariant), "\(v.name): found \(x.invariant.name)")
            let replay = Checker.check(ce.bytes, variant: v)
            XCTAssertEqual(replay.violation?.invariant, x.invariant, "\(v.name): counterexample does not replay")
            XCTAssertNil(Checker.check(ce.bytes, variant: .none).violation, "\(v.name): counterexample violates the correct model")
            if !x.invariant.isLiveness {
                // A safety counterexample violates within its own transitions (not later, in the
                // end-of-schedule drain): its length is the real one.
                XCTAssertEqual(Minimizer.length(ce, variant: v), r.counterexampleTransitions, "\(v.name): length")
                var t = TransitionCounter()
                let lv = litmus.bytes.withUnsafeBytes { Checker.run($0, variant: v, config: .default, observer: &t) }
                if lv.violation?.invariant == x.invariant {
                    XCTAssertLessThanOrEqual(r.counterexampleTransitions, t.transitions, "\(v.name): not shortest")
                }
            }
        }
    }

    /// The finding: on the plain baseline a prefault plus an nx_huge_pages write hangs until a
    /// signal; with the candidate fix, or with a signal among the operations, every
    /// interleaving completes.
    func testFindingOnPlainBaselineOnly() {
        let s = scenario("fault vcpu0 gfn=1 shared prefault", "nx-toggle")
        let base = explore(s, fixes: .none)
        XCTAssertEqual(base.violation?.invariant, .hangUntilSignal)
        XCTAssertEqual(explore(s).outcome, .complete)
        var withSignal = s
        withSignal.ops.append(Event(kind: .signal, x: 0))
        XCTAssertEqual(explore(withSignal, fixes: .none).outcome, .complete)
    }

    /// `faultsync minimize`'s last pass: the checker's shortest schedule over the minimized
    /// operations, for the same invariant, when it is shorter.
    func testMinimizerUsesTheCheckersShortest() throws {
        let v = Variant.noSynchronizeSrcu
        let url = repoRoot.appendingPathComponent("corpus/regressions/\(v.name)/fuzzer-min.txt")
        let s = sched(try String(contentsOf: url, encoding: .utf8))
        guard let m = Minimizer.minimize(s, variant: v) else { return XCTFail("does not violate") }
        let before = Minimizer.length(m, variant: v)
        guard let c = Minimizer.shortest(m, variant: v, inv: .memslotFreedUnderReader) else {
            return XCTFail("the checker found nothing shorter than \(before) transitions")
        }
        XCTAssertLessThan(Minimizer.length(c, variant: v), before)
        XCTAssertEqual(Checker.check(c.bytes, variant: v).violation?.invariant, .memslotFreedUnderReader)
        // Asked for an invariant the operations cannot violate, it finds nothing.
        XCTAssertNil(Minimizer.shortest(m, variant: v, inv: .attributeMismatch))
    }

    // MARK: ground truth against the executor

    /// Every state the executor (what the fuzzer runs) passes through on random schedules over
    /// a scenario's operations is one the checker visited: the checker's transitions and
    /// canonical merging miss no interleaving that the fuzzer can produce.
    func testExecutorStatesAreAllVisited() {
        let s = scenario("fault vcpu0 gfn=9 shared", "remap hva=17 pages=1", "delete slot=1", "attr gfn=8 pages=4 private")
        var o = ExploreOptions()
        o.collectVisited = true
        let r = Explorer.explore(s, options: o)
        XCTAssertEqual(r.outcome, .complete)
        guard let visited = r.visited else { return XCTFail("no visited set") }
        var rng = SplitMix64(seed: 7)
        var checked = 0
        for _ in 0..<300 {
            // The operations in a random order, with random runs of steps between them.
            var ev: [Event] = []
            for op in s.ops.shuffled(using: &rng) {
                for _ in 0..<Int(rng.next() % 4) {
                    ev.append(Event(kind: .step, x: UInt8(rng.next() % 7), y: UInt8(1 + rng.next() % 6)))
                }
                ev.append(op)
            }
            var obs = VisitedProbe(ops: s.ops, visited: visited)
            _ = Schedule(events: ev).bytes.withUnsafeBytes { Checker.run($0, variant: .none, config: .default, observer: &obs) }
            XCTAssertEqual(obs.missed, 0, "executor reached a state the checker did not visit:\n\(Schedule(events: ev).text)")
            checked += obs.seen
        }
        XCTAssertGreaterThan(checked, 3000)
    }
}

/// After every accepted start and every step, looks the executor's state up in the checker's
/// visited set.
struct VisitedProbe: StepObserver {
    let ops: [Event]
    let visited: Set<[UInt64]>
    var mask: UInt16 = 0
    var missed = 0, seen = 0

    init(ops: [Event], visited: Set<[UInt64]>) { self.ops = ops; self.visited = visited }

    mutating func probe(_ w: World) {
        var c = w
        seen += 1
        if !visited.contains(c.canonicalWords() + [UInt64(mask)]) { missed += 1 }
    }
    mutating func event(_ index: Int, _ e: Event, accepted: Bool, world: World) {
        guard e.kind != .step, accepted else { return }
        for (i, op) in ops.enumerated() where op == e && mask & (1 << UInt16(i)) == 0 { mask |= 1 << UInt16(i); break }
        probe(world)
    }
    mutating func willStep(_ actor: Int, world: World) {}
    mutating func didStep(_ actor: Int, world: World) { if world.violation == nil { probe(world) } }
}
