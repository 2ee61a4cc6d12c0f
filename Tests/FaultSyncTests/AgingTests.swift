import XCTest
@testable import FaultSync

/// Page aging through the MMU notifier (format v7, Model/Aging.swift): clear_flush_young() ->
/// kvm_age_hva_range(), lockless (CONFIG_KVM_MMU_LOCKLESS_AGING): kvm->srcu around the memslot
/// walk, no mmu_lock, no mmu_invalidate_*; without A/D bits each young leaf of the valid root is
/// marked for access tracking by cmpxchg, with them only the Accessed bit (no model state) is
/// cleared.
final class AgingTests: XCTestCase {
    static var noAD: WorldConfig { var c = WorldConfig(); c.adBits = false; return c }

    func run(_ text: String, _ c: WorldConfig, _ v: Variant = .none, actor: Int = 2) -> (Verdict, World, ActorSteps) {
        runObserving(text, c, v, actor: actor)
    }

    static let mapped = """
        fault vcpu0 gfn=9 shared
        step vcpu0 x16

        """

    /// Without A/D bits: AG1, AG2 reads the KVM_RUN mapping of gfn 9, AG2b marks it, AG2 finds no
    /// young leaf left, AG3; mmu_lock is never held and the invalidation state never changes.
    func testAgingMarksAKvmRunMappingWithoutMmuLock() {
        let (v0, before) = worldAtDrain(Self.mapped, config: Self.noAD)
        XCTAssertNil(v0.violation)
        XCTAssertTrue(before.leaf[9].present)
        XCTAssertFalse(before.leaf[9].accessTracked, "a KVM_RUN mapping is young")
        let (v, w, s) = run(Self.mapped + "age hva=16 pages=4\nstep mm0 x8\n", Self.noAD)
        XCTAssertNil(v.violation)
        XCTAssertEqual(s.pcs, [.ag1Walk, .ag2Age, .ag2Mark, .ag2Age, .ag3Done])
        XCTAssertEqual(s.lockedAt, [false, false, false, false, false])
        XCTAssertEqual(Set(s.invAt), ["0 \(before.seq)"], "no mmu_invalidate_* change")
        XCTAssertTrue(w.leaf[9].present)
        XCTAssertTrue(w.leaf[9].accessTracked)
        XCTAssertEqual(w.leaf[9].pfn, before.leaf[9].pfn)
        XCTAssertEqual(w.actors[2].srcuStart, 0, "srcu_read_unlock at AG3")
    }

    /// With A/D bits the walk clears Accessed bits, which the model does not keep: no SPTE
    /// changes, one AG2 step per memslot.
    func testWithADBitsAgingChangesNoSPTE() {
        let (v, w, s) = run(Self.mapped + "age hva=16 pages=4\nstep mm0 x8\n", .default)
        XCTAssertNil(v.violation)
        XCTAssertEqual(s.pcs, [.ag1Walk, .ag2Age, .ag3Done])
        XCTAssertTrue(w.leaf[9].present)
        XCTAssertFalse(w.leaf[9].accessTracked)
    }

    /// The guest's next access to the aged page restores it in fast_page_fault(): F2a, F2b.
    func testTheFastPathRestoresAnAgedSPTE() {
        let text = Self.mapped + "age hva=16 pages=4\nstep mm0 x8\nfault vcpu0 gfn=9 shared\nstep vcpu0 x8\n"
        let (v, w, s) = run(text, Self.noAD, actor: 0)
        XCTAssertNil(v.violation)
        XCTAssertEqual(Array(s.pcs.suffix(4)), [.f0SrcuLock, .f1Memslot, .f2FastWalk, .f2FastFix])
        XCTAssertFalse(w.leaf[9].accessTracked)
    }

    /// A huge SPTE is one leaf: one mark covers the block.
    func testAHugeLeafIsMarkedOnce() {
        let text = """
            collapse block=4
            step mm0 x16
            fault vcpu0 gfn=9 shared
            step vcpu0 x16
            age hva=16 pages=4
            step mm0 x8
            """
        let (v, w, s) = run(text, Self.noAD)
        XCTAssertNil(v.violation)
        XCTAssertTrue(w.huge[2].present, "the fault mapped the THP with a 2M SPTE")
        XCTAssertTrue(w.huge[2].accessTracked)
        XCTAssertEqual(Array(s.pcs.suffix(5)), [.ag1Walk, .ag2Age, .ag2Mark, .ag2Age, .ag3Done], "(after the collapse's steps on mm0)")
    }

    /// The walk holds kvm->srcu: a memslot delete waits for it in synchronize_srcu_expedited()
    /// (W6), and frees the slot only after AG3. Under variant age-without-srcu it does not wait,
    /// and the walk's next step dereferences the freed slot (the oracle fires).
    func testADeleteWaitsForTheAgingWalk() {
        let text = "age hva=16 pages=4\nstep mm0 x1\ndelete slot=1\nstep memslot x16\n"
        var (v, w) = worldAtDrain(text, config: Self.noAD)
        XCTAssertNil(v.violation)
        XCTAssertEqual(w.actors[4].pc, .wSync)
        XCTAssertFalse(w.runnable(4), "synchronize_srcu_expedited() waits for the aging walk")
        XCTAssertEqual(w.actors[2].pc, .ag2Age)
        (v, w) = worldAtDrain(text, .ageWithoutSrcu, config: Self.noAD)
        XCTAssertEqual(v.violation?.invariant, .memslotFreedUnderReader)
    }

    /// A leaf an invalidation zapped after AG1 is not there for AG2: nothing is marked, nothing
    /// comes back. Under age-plain-write the store a step after the read brings it back.
    func testTheCmpxchgCannotBringAZappedSPTEBack() {
        let text = Self.mapped + """
            age hva=17 pages=1
            step mm0 x1
            remap hva=17 pages=1
            step mm1 x16
            step mm0 x8
            """
        let (v, w, s) = run(text, Self.noAD)
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.leaf[9].present)
        XCTAssertEqual(s.pcs, [.ag1Walk, .ag2Age, .ag3Done])
        let lit = try! String(contentsOf: repoRoot.appendingPathComponent("corpus/regressions/age-plain-write/litmus.txt"), encoding: .utf8)
        let (bad, _, _) = run(lit, .default, .agePlainWrite)
        XCTAssertEqual(bad.violation?.invariant, .staleCommit)
        XCTAssertFalse(World(config: .default, variant: .agePlainWrite).adBits, "the variant implies no A/D bits")
    }

    /// The cmpxchg compares the value AG2 read: when an invalidation zapped that SPTE and a new
    /// fault mapped the host's new page in between, AG2b fails and leaves the new SPTE young (no
    /// retry), as the kernel does. Under age-plain-write the store overwrites the new SPTE with
    /// the old, freed page.
    func testAFailedCmpxchgLeavesTheNewSPTEYoung() {
        let text = Self.mapped + """
            age hva=17 pages=1
            step mm0 x2
            remap hva=17 pages=1
            step mm1 x16
            fault vcpu0 gfn=9 shared
            step vcpu0 x16
            step mm0 x1
            """
        let (v0, before) = worldAtDrain(Self.mapped, config: Self.noAD)
        XCTAssertNil(v0.violation)
        let (v, w) = worldAtDrain(text, config: Self.noAD)
        XCTAssertNil(v.violation)
        XCTAssertTrue(w.leaf[9].present)
        XCTAssertNotEqual(w.leaf[9].pfn, before.leaf[9].pfn, "the host's new page")
        XCTAssertFalse(w.leaf[9].accessTracked, "the cmpxchg against the old value failed")
        XCTAssertEqual(w.actors[2].pc, .ag2Age)
        let (bad, _) = worldAtDrain(text, .agePlainWrite)
        XCTAssertEqual(bad.violation?.invariant, .staleCommit)
    }

    /// A root whose last reference is put during the walk is walked no further (putRoot resets
    /// the walker's root): the walk's next step marks nothing in a root allocated later at the
    /// same index.
    func testARootFreedDuringTheWalkIsNotWalkedFurther() {
        var w = World(config: Self.noAD)
        XCTAssertTrue(w.start(sched("fault vcpu0 gfn=9 shared").events[0]))
        while w.runnable(0) { w.step(0) }
        XCTAssertTrue(w.start(sched("age hva=16 pages=4").events[0]))
        w.step(2)                                    // AG1
        w.step(2)                                    // AG2: reads gfn 9 in r0
        XCTAssertEqual(w.actors[2].zapRoot, 0)
        XCTAssertEqual(w.actors[2].pc, .ag2Mark)
        // Free r0 behind the walk: the vCPU's and the TDP MMU's references put.
        w.roots[0].state = .invalid
        w.putRoot(0); w.putRoot(0)
        XCTAssertEqual(w.roots[0].state, .free)
        XCTAssertEqual(w.actors[2].zapRoot, none8)
        w.step(2)                                    // AG2b: no root to mark in
        XCTAssertEqual(w.actors[2].pc, .ag2Age)
        w.step(2)                                    // AG2: no root: the walk ends
        XCTAssertEqual(w.actors[2].pc, .ag3Done)
    }
}
