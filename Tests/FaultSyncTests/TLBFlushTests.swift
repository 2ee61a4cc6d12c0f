import XCTest
@testable import FaultSync

/// I7, TLB before free: the ghost `World.tlbStale` records the translations a zap of a valid
/// root leaves in vCPU TLBs, the kernel's flushes clear them, and a host free of a page still
/// recorded is a `stale-tlb` violation (the variants' litmus tests are the negative controls).
final class TLBFlushTests: XCTestCase {
    /// The world after the schedule's events, before the drain (the verdict is the whole run's).
    func world(_ text: String, _ v: Variant = .none, config: WorldConfig = .default) -> (Verdict, World) {
        worldAtDrain(text, v, config: config)
    }

    func stale(_ w: World) -> [Int: UInt16] {
        var out: [Int: UInt16] = [:]
        for g in 0..<Cap.gfns where w.tlbStale[g] != 0 { out[g] = w.tlbStale[g] }
        return out
    }

    let mapped = """
        fault vcpu0 gfn=1 shared
        step vcpu0 x16

        """

    /// gfns 2 and 3 mapped 4K (block 0 has a page table), block 1 (gfns 4-7) by a huge SPTE.
    let twoLeavesAndAHugeBlock = """
            fault vcpu0 gfn=2 shared
            step vcpu0 x16
            fault vcpu0 gfn=3 shared
            step vcpu0 x16
            collapse block=1
            step mm0 x16
            step mm0 x1
            fault vcpu1 gfn=5 shared
            step vcpu1 x16

        """

    /// The notifier's zap leaves a translation until N3's flush, which runs before mmu_lock is
    /// released and so before the host can free the page.
    func testTheNotifierFlushesBeforeItsUnlock() {
        let (_, w0) = world(mapped)
        let pfn = w0.leaf[1].pfn
        XCTAssertNotEqual(pfn, 0, "setup: gfn 1 is mapped")
        let (v1, w1) = world(mapped + "unmap hva=1 pages=1\nstep mm0 x5\n")   // N1-2, N3a, N3d, N3e range_add, N3e zap
        XCTAssertNil(v1.violation)
        XCTAssertFalse(w1.leaf[1].present)
        XCTAssertEqual(stale(w1), [1: pfn], "the zap left gfn 1 -> pfn \(pfn) in the TLBs")
        XCTAssertEqual(w1.actors[2].tlbFlush, TLBFlush.ret, "the handler returned flush = true")
        let (v2, w2) = world(mapped + "unmap hva=1 pages=1\nstep mm0 x6\n")   // ... N3g flush + unlock
        XCTAssertNil(v2.violation)
        XCTAssertEqual(stale(w2), [:], "flushed before KVM_MMU_UNLOCK")
        XCTAssertEqual(w2.actors[2].tlbFlush, 0)
        XCTAssertNil(verdict(mapped + "unmap hva=1 pages=1\nstep mm0 x16\n").violation)
        XCTAssertEqual(verdict(mapped + "unmap hva=1 pages=1\nstep mm0 x16\n", .notifierNoTlbFlush).violation?.invariant, .staleTLB,
                       "negative control: the same schedule without the flush")
    }

    /// tdp_mmu_zap_leafs()' iterator steps down into a page table and may yield before each of
    /// its 4K entries; a block without a table (a huge SPTE) is one entry. Negative control:
    /// with a yield point only between huge blocks (World.zapStepStop returning the block's end)
    /// the walk zaps gfns 0-3 in one step and this test fails at the first yield point.
    func testTheWalkYieldsBetweenTheEntriesOfAPageTable() {
        let text = twoLeavesAndAHugeBlock + "unmap hva=2 pages=4\n"
        let (_, w0) = world(text)
        XCTAssertTrue(w0.leaf[2].present && w0.leaf[3].present, "setup: gfns 2 and 3 mapped 4K (block 0 has a page table)")
        XCTAssertTrue(w0.huge[1].present, "setup: block 1 mapped by a huge SPTE")
        // N1-2, N3a, N3d, range_add [2,6), gfn 2: at the yield point before gfn 3.
        let (_, w) = world(text + "step mm0 x5\n")
        XCTAssertEqual(w.actors[2].pc, .n3Yield)
        XCTAssertFalse(w.leaf[2].present)
        XCTAssertTrue(w.leaf[3].present, "gfn 3, in the same table, not yet zapped")
        XCTAssertEqual(stale(w).keys.sorted(), [2])
        // A fault on slot 1 takes the read lock there: the walk flushes and yields inside the table.
        let (v, y) = world(text + "step mm0 x5\nfault vcpu1 gfn=9 shared\nstep vcpu1 x16\n")
        XCTAssertNil(v.violation)
        XCTAssertEqual(y.actors[2].pc, .n3Relock)
        XCTAssertEqual(y.actors[1].pc, .idle, "vcpu1's fault ran in the yield")
        XCTAssertEqual(stale(y), [:])
        XCTAssertTrue(y.leaf[3].present)
        // The point passed, gfn 3: at the point before block 1.
        let (_, t) = world(text + "step mm0 x7\n")
        XCTAssertEqual(t.actors[2].pc, .n3Yield)
        XCTAssertFalse(t.leaf[3].present)
        XCTAssertTrue(t.huge[1].present)
        // The point passed, block 1's huge SPTE (gfns 4-7, the range ends at 6) in one step.
        let (_, h) = world(text + "step mm0 x9\n")
        XCTAssertFalse(h.huge[1].present, "the whole huge SPTE in one step")
        XCTAssertNotEqual(h.actors[2].pc, .n3Yield, "no yield point inside a huge SPTE: slot 0's range is done")
        XCTAssertEqual(stale(h).keys.sorted(), [2, 3, 4, 5, 6, 7])
    }

    /// R6: tdp_mmu_zap_root() zaps an invalidated root in passes (8ca983631f3c): every 4K leaf,
    /// one per step, then the 2M entries (the emptied page table, the huge SPTE), then the put;
    /// the read lock is dropped after each step, so a writer gets in between two leaves of one
    /// table. Negative control: with the block-per-step zap of before (leaves, huge SPTE and table
    /// together) the first zap step takes gfn 3 too and the test fails there.
    func testTheInvalidatedRootIsZappedInPasses() {
        let text = twoLeavesAndAHugeBlock + "nx-toggle\n"
        let (_, w0) = world(text)
        XCTAssertTrue(w0.leaf[2].present && w0.leaf[3].present, "setup: gfns 2 and 3 mapped 4K (block 0 has a page table)")
        XCTAssertTrue(w0.huge[1].present, "setup: block 1 mapped by a huge SPTE")
        // X0, X1 (R1-R5: the root is invalid), R6 read_lock, the 4K pass's first leaf.
        let (v1, w1) = world(text + "step nx x4\n")
        XCTAssertNil(v1.violation)
        guard let r = (0..<Cap.roots).first(where: { w1.roots[$0].state == .invalid }) else {
            return XCTFail("setup: the root is invalid")
        }
        XCTAssertEqual(w1.actors[7].pc, .r6Lock, "the read lock dropped after the step")
        XCTAssertFalse(w1.roots[r].leaf[2].present)
        XCTAssertTrue(w1.roots[r].leaf[3].present, "gfn 3, in the same table, is the next step's")
        XCTAssertTrue(w1.roots[r].hasPT & 1 != 0 && w1.roots[r].huge[1].present, "the 2M pass has not started")
        // The second leaf; the 2M pass: the emptied table of block 0, then block 1's huge SPTE.
        let (_, w2) = world(text + "step nx x6\n")
        XCTAssertFalse(w2.roots[r].leaf[3].present)
        XCTAssertTrue(w2.roots[r].hasPT & 1 != 0, "the table stays linked through the 4K pass")
        let (_, w3) = world(text + "step nx x8\n")
        XCTAssertEqual(w3.roots[r].hasPT & 1, 0, "the 2M pass unlinked block 0's table")
        XCTAssertTrue(w3.roots[r].huge[1].present)
        let (_, w4) = world(text + "step nx x10\n")
        XCTAssertTrue(w4.roots[r].isEmpty)
        XCTAssertTrue(w4.roots[r].scheduledToZap, "the put is the next step")
        let (_, w5) = world(text + "step nx x12\n")
        XCTAssertFalse(w5.roots[r].scheduledToZap)
        XCTAssertEqual(w5.actors[7].pc, .x2Unlock, "kvm_mmu_zap_all_fast() returned")
        // A writer between two leaves of one table: the notifier zaps gfn 3 in the invalid root
        // (| KVM_INVALID_ROOTS) under the write lock; R6 then goes on to the 2M pass.
        let (v6, w6) = world(text + "step nx x4\nunmap hva=3 pages=1\nstep mm0 x16\n")
        XCTAssertNil(v6.violation)
        XCTAssertEqual(w6.actors[2].pc, .idle, "the notifier ran to its end in R6's yield")
        XCTAssertFalse(w6.roots[r].leaf[3].present)
        XCTAssertTrue(w6.roots[r].hasPT & 1 != 0)
        let (_, w7) = world(text + "step nx x4\nunmap hva=3 pages=1\nstep mm0 x16\nstep nx x2\n")
        XCTAssertEqual(w7.roots[r].hasPT & 1, 0, "no leaf left: the next step is the 2M pass's")
        XCTAssertTrue(w7.roots[r].huge[1].present)
    }

    /// R6's 4K pass zaps shadow-present leaves only: an MMIO SPTE stays in the invalid root's
    /// page table until the 2M pass zaps the table with it (tdp_mmu_zap_root()). Negative
    /// control: with the 2M pass leaving the table's leaves (no clearing loop) the MMIO SPTEs
    /// outlive their table and the last two assertions fail.
    func testAnMmioSpteOfAnInvalidRootGoesWithItsTable() {
        let text = """
            fault vcpu0 gfn=13 shared
            step vcpu0 x16
            fault vcpu0 gfn=12 shared
            step vcpu0 x16
            nx-toggle
            step nx x3              # X0, X1 (the root is invalid), R6 read_lock

            """
        let (_, w0) = world(text)
        guard let r = (0..<Cap.roots).first(where: { w0.roots[$0].state == .invalid }) else {
            return XCTFail("setup: the root is invalid")
        }
        XCTAssertTrue(w0.roots[r].leaf[12].mmioGen != 0 && w0.roots[r].leaf[13].mmioGen != 0)
        XCTAssertTrue(w0.roots[r].hasPT & (1 << 3) != 0, "setup: block 3 has a page table")
        let (v1, w1) = world(text + "step nx x1\n")
        XCTAssertNil(v1.violation)
        XCTAssertFalse(w1.roots[r].hasPT & (1 << 3) != 0, "no present leaf: the first step is the 2M pass's")
        XCTAssertEqual(w1.roots[r].leaf[12].mmioGen, 0, "the MMIO SPTEs went with the table")
        XCTAssertEqual(w1.roots[r].leaf[13].mmioGen, 0)
        // A present leaf and an MMIO SPTE in one table: the 4K pass zaps the leaf only.
        let mixed = """
            create slot=2 gfn=12 pages=2 hva=24
            step memslot x16
            fault vcpu0 gfn=12 shared
            step vcpu0 x16
            fault vcpu0 gfn=14 shared       # no memslot: an MMIO SPTE in block 3's table
            step vcpu0 x16
            nx-toggle
            step nx x4              # X0, X1, R6 read_lock, the 4K pass's one leaf

            """
        let (_, m1) = world(mixed)
        guard let q = (0..<Cap.roots).first(where: { m1.roots[$0].state == .invalid }) else {
            return XCTFail("setup: the root is invalid")
        }
        XCTAssertFalse(m1.roots[q].leaf[12].present, "the 4K pass zapped the present leaf")
        XCTAssertNotEqual(m1.roots[q].leaf[14].mmioGen, 0, "and skipped the MMIO SPTE (not shadow-present)")
        XCTAssertTrue(m1.roots[q].hasPT & (1 << 3) != 0)
        let (_, m2) = world(mixed + "step nx x2\n")
        XCTAssertEqual(m2.roots[q].hasPT & (1 << 3), 0, "the 2M pass zapped the table")
        XCTAssertEqual(m2.roots[q].leaf[14].mmioGen, 0, "with its MMIO SPTE")
    }

    /// tdp_mmu_iter_cond_resched() flushes the handler's zaps before it drops mmu_lock; passing a
    /// yield point (nobody takes the lock there) flushes nothing.
    func testAYieldingZapFlushesFirst() {
        let text = """
            fault vcpu0 gfn=1 shared
            step vcpu0 x16
            fault vcpu1 gfn=4 shared
            step vcpu1 x16
            unmap hva=1 pages=4
            step mm0 x5

            """
        let (v, w) = world(text)          // N3e zapped block 0 (gfn 1); next: the yield
        XCTAssertNil(v.violation)
        XCTAssertEqual(w.actors[2].pc, .n3Yield)
        XCTAssertEqual(stale(w).keys.sorted(), [1])
        XCTAssertEqual(w.actors[2].tlbFlush, TLBFlush.local, "the handler's flush is pending, not yet returned")
        let (_, p) = world(text + "step mm0\n")
        XCTAssertEqual(p.actors[2].pc, .n3Zap, "mm0 passed the yield point")
        XCTAssertEqual(p.mmuWriter, 2, "still holding mmu_lock")
        XCTAssertEqual(stale(p).keys.sorted(), [1], "no yield, no flush")
        // mm1's KVM_MMU_LOCK (hva 16: slot 1) at mm0's yield point makes mm0 yield.
        let waiter = "unmap hva=16 pages=1\nstep mm1 x3\n"
        let (_, y) = world(text + waiter)
        XCTAssertEqual(y.actors[2].pc, .n3Relock, "mm0 yielded")
        XCTAssertEqual(y.mmuWriter, 3, "mm1 took mmu_lock")
        XCTAssertEqual(stale(y), [:], "flushed before the yield")
        let (_, n) = world(text + waiter, .notifierNoTlbFlush)
        XCTAssertEqual(n.actors[2].pc, .n3Relock)
        XCTAssertEqual(stale(n).keys.sorted(), [1], "the variant yields with the translation still in the TLBs")
    }

    /// kvm_mmu_zap_all_fast(): the roots' invalidation makes every vCPU reload and flush, and the
    /// zap of the invalidated roots (R6) records nothing ("Zappings SPTEs in invalid roots
    /// doesn't require a TLB flush").
    func testZapsOfInvalidatedRootsNeedNoFlush() {
        let (v, w) = world(mapped + "nx-toggle\nstep nx x16\nunmap hva=1 pages=1\nstep mm0 x16\n")
        XCTAssertNil(v.violation)
        XCTAssertEqual(stale(w), [:])
        // The notifier zap of an SPTE still in an invalid root (R6 not yet there): no record.
        let (_, x) = world(mapped + "nx-toggle\nstep nx x3\n")
        let invalid = (0..<Cap.roots).filter { x.roots[$0].state == .invalid }
        XCTAssertFalse(invalid.isEmpty, "setup: the root is invalid")
        XCTAssertTrue(invalid.contains { x.roots[$0].leaf[1].present }, "setup: R6 has not zapped gfn 1 yet")
        let (_, y) = world(mapped + "nx-toggle\nstep nx x3\nunmap hva=1 pages=1\nstep mm0 x5\n")
        XCTAssertEqual(stale(y), [:], "a zap in an invalid root leaves nothing to flush")
    }

    /// The NX recovery zaps the table at Y2 and flushes at Y3, before read_unlock(mmu_lock).
    func testTheNxRecoveryFlushesBeforeItsUnlock() {
        let text = """
            collapse block=0
            step mm0 x16
            fault vcpu0 gfn=2 shared exec
            step vcpu0 x16
            nx-recover
            step nxrec x3

            """
        let (v, w) = world(text)
        XCTAssertNil(v.violation)
        XCTAssertEqual(stale(w).keys.sorted(), [2], "Y2 zapped the table's one leaf")
        XCTAssertEqual(w.mmuReaders, 1)
        let (_, y) = world(text + "step nxrec\n")
        XCTAssertEqual(stale(y), [:])
        let (_, n) = world(text + "step nxrec\n", .nxRecoveryNoTlbFlush)
        XCTAssertEqual(stale(n).keys.sorted(), [2], "the variant unlocks without the flush")
    }

    /// Finding notifier-yield-skips-pending-flush: a notifier over two aliased memslots zaps the
    /// first memslot's SPTE and yields in the second's walk. The baseline keeps the first zap
    /// pending (r.ret) over the yield; the fix flushes it there.
    func testAYieldAfterAnEarlierMemslotsZap() {
        let text = """
            delete slot=1
            step memslot x16
            create slot=1 gfn=8 pages=8 hva=0
            step memslot x16
            fault vcpu0 gfn=4 shared
            step vcpu0 x16
            unmap hva=2 pages=4
            step mm0 x11
            unmap hva=4 pages=1
            step mm1 x3

            """
        var plain = WorldConfig(); plain.fixes = .none
        var w = World(config: plain)
        var o = AtDrain()
        _ = sched(text).bytes.withUnsafeBytes { Checker.execute($0, world: &w, observer: &o) }
        let base = o.world!
        XCTAssertEqual(base.actors[2].pc, .n3Relock, "setup: mm0 yielded in slot 1's walk to mm1's KVM_MMU_LOCK")
        XCTAssertEqual(stale(base).keys.sorted(), [4], "baseline: slot 0's zap of gfn 4 is still unflushed")
        XCTAssertEqual(base.actors[2].tlbFlush, TLBFlush.ret)
        let (_, fixed) = world(text)
        XCTAssertEqual(fixed.actors[2].pc, .n3Relock)
        XCTAssertEqual(stale(fixed), [:], "with the fix the yield flushed it")
        // The reproducer: the second unmap frees the page in that window.
        let second = text + "step mm1 x16\n"
        XCTAssertEqual(Checker.check(sched(second).bytes, config: plain).violation?.invariant, .staleTLB)
        XCTAssertNil(verdict(second).violation)
    }

    /// KVM_SET_MEMORY_ATTRIBUTES zaps one huge block per step, or one 4K entry of a block with
    /// a page table, and may yield between them (pre_set_range.may_block); the yield flushes the
    /// handler's own zaps first, and the unlock after the last memslot flushes the rest
    /// (flush_on_ret).
    func testTheAttributeZapYieldsAndFlushes() {
        // T1, T2, T4 begin, range_add, gfn 0 (block 0 has a page table: vcpu0's 4K fault at
        // gfn 1), the yield point passed, gfn 1.
        let text = mapped + "attr gfn=0 pages=8 private\nstep attr x7\n"
        let (v, w) = world(text)
        XCTAssertNil(v.violation)
        XCTAssertEqual(w.actors[5].pc, .t4Yield, "gfn 1 zapped; a yield point")
        XCTAssertFalse(w.leaf[1].present)
        XCTAssertEqual(stale(w).keys.sorted(), [1])
        XCTAssertEqual(w.actors[5].tlbFlush, TLBFlush.local)
        let (_, p) = world(text + "step attr\n")
        XCTAssertEqual(p.actors[5].pc, .t4Zap, "no yield: nobody takes mmu_lock")
        XCTAssertEqual(stale(p).keys.sorted(), [1], "and no flush")
        // A notifier's KVM_MMU_LOCK at the yield point: the ioctl flushes, then yields.
        let (_, y) = world(text + "unmap hva=1 pages=1\nstep mm0 x3\n")
        XCTAssertEqual(y.mmuWriter, 2, "mm0 took mmu_lock")
        XCTAssertEqual(y.actors[5].pc, .t4Relock)
        XCTAssertEqual(stale(y), [:], "flushed before the yield")
        // While the ioctl is off the lock, the notifier runs to its end; the attribute range stays added.
        let (v2, z) = world(text + "unmap hva=1 pages=1\nstep mm0 x16\n")
        XCTAssertNil(v2.violation)
        XCTAssertEqual(z.actors[2].pc, .idle, "the unmap ran to its end during the yield")
        XCTAssertEqual(z.actors[5].pc, .t4Relock)
        // One block only: its last entry, then no yield point; the unlock flushes.
        let one = mapped + "attr gfn=0 pages=4 private\nstep attr x11\n"   // gfns 0-3, three points passed
        let (_, u) = world(one)
        XCTAssertEqual(u.actors[5].pc, .t4Unlock)
        XCTAssertEqual(stale(u).keys.sorted(), [1])
        XCTAssertEqual(u.actors[5].tlbFlush, TLBFlush.ret)
        let (_, u2) = world(one + "step attr\n")
        XCTAssertEqual(stale(u2), [:], "flushed before KVM_MMU_UNLOCK")
    }

    /// The finding's attribute road (corpus/findings/notifier-yield-skips-pending-flush/litmus-attr):
    /// slot 0's zap is pending (ret) when slot 1's zap yields; the baseline does not flush it
    /// there, the fix does.
    func testTheAttributeZapYieldsWithAnEarlierMemslotsZapPending() {
        let text = """
            delete slot=1
            step memslot x16
            create slot=1 gfn=8 pages=8 hva=16
            step memslot x16
            fault vcpu0 gfn=6 shared
            step vcpu0 x16
            attr gfn=6 pages=8 private
            step attr x9
            unmap hva=6 pages=1
            step mm0 x3

            """
        var plain = WorldConfig(); plain.fixes = .none
        var w = World(config: plain)
        var o = AtDrain()
        _ = sched(text).bytes.withUnsafeBytes { Checker.execute($0, world: &w, observer: &o) }
        let base = o.world!
        XCTAssertEqual(base.actors[5].pc, .t4Relock, "setup: the ioctl yielded in slot 1's zap to mm0's KVM_MMU_LOCK")
        XCTAssertEqual(stale(base).keys.sorted(), [6], "baseline: slot 0's zap of gfn 6 is still unflushed")
        XCTAssertEqual(base.actors[5].tlbFlush, TLBFlush.ret)
        let (_, fixed) = world(text)
        XCTAssertEqual(fixed.actors[5].pc, .t4Relock)
        XCTAssertEqual(stale(fixed), [:], "with the fix the yield flushed it")
        let second = text + "step mm0 x16\n"
        XCTAssertEqual(Checker.check(sched(second).bytes, config: plain).violation?.invariant, .staleTLB)
        XCTAssertNil(verdict(second).violation)
    }

    /// guest_memfd: __kvm_gmem_invalidate_begin() flushes before KVM_MMU_UNLOCK (G4), before
    /// the truncation frees the folio (G5). Negative control: the same world with the pending
    /// flush dropped by hand before G4 frees a folio a TLB may still map.
    func testThePunchHoleFlushesBeforeTheTruncation() {
        let text = """
            attr gfn=1 pages=1 private
            step attr x16
            fault vcpu0 gfn=1 private
            step vcpu0 x16
            punch-hole gfn=1 pages=1
            step gmem x4

            """
        let (v, w) = world(text)           // G0, G1 begin, G2 range_add, G3 zap
        XCTAssertNil(v.violation)
        let g = 11
        XCTAssertEqual(w.actors[g].kind, .gmem)
        XCTAssertEqual(w.actors[g].pc, .g4Unlock)
        XCTAssertEqual(stale(w).keys.sorted(), [1], "the zap of the private SPTE is in the TLBs")
        XCTAssertEqual(w.actors[g].tlbFlush, TLBFlush.ret)
        func run(_ w0: World) -> World {
            var x = w0
            while x.actors[g].pc != .idle && x.violation == nil && x.runnable(g) { x.step(g) }
            return x
        }
        let good = run(w)
        XCTAssertNil(good.violation)
        XCTAssertEqual(good.actors[g].pc, .idle, "the punch hole ran to its end")
        XCTAssertEqual(stale(good), [:])
        var broken = w
        broken.actors[g].tlbFlush = 0      // as if G4 had no flush
        XCTAssertEqual(run(broken).violation?.invariant, .staleTLB, "negative control: G5 frees the folio unflushed")
    }

    /// kvm_tdp_mmu_unmap_gfn_range() walks the roots one after the other, the valid (newest)
    /// root first, and passes `flush` from root to root (a835429cda91): the yield in the invalid
    /// root's walk flushes the valid root's zaps. The variant root-zap-flush-not-carried starts
    /// each walk from nothing pending.
    func testRootsAreWalkedInTurnAndTheFlushIsCarried() {
        let text = """
            fault vcpu0 gfn=5 shared
            step vcpu0 x16
            nx-toggle
            step nx x2
            fault vcpu0 gfn=5 shared
            step vcpu0 x16
            unmap hva=2 pages=4

            """
        let (_, w0) = world(text)
        let valid = w0.validRoot
        XCTAssertGreaterThanOrEqual(valid, 0)
        let old = (0..<Cap.roots).first { w0.roots[$0].state == .invalid }!
        XCTAssertTrue(w0.roots[old].leaf[5].present, "setup: the invalid root still maps gfn 5")
        // N1, N3a, N3d, range_add, [2,4) of the valid root, the yield point passed, gfn 4 (block 1
        // has a page table: vcpu0's 4K fault at gfn 5), the point passed, gfn 5 of the valid root.
        let (_, w) = world(text + "step mm0 x9\n")
        XCTAssertEqual(w.actors[2].pc, .n3Zap)
        XCTAssertEqual(Int(w.actors[2].zapRoot), old, "the invalid root is walked after the valid one")
        XCTAssertEqual(w.actors[2].zapPos, 2, "from the range's start again")
        XCTAssertFalse(w.roots[valid].leaf[5].present)
        XCTAssertTrue(w.roots[old].leaf[5].present, "not yet zapped in the invalid root")
        XCTAssertEqual(stale(w).keys.sorted(), [5])
        XCTAssertEqual(w.actors[2].tlbFlush, TLBFlush.local, "flush = true passed to the next walk")
        // [2,4) of the invalid root; at the yield point, mm1's KVM_MMU_LOCK makes mm0 yield.
        let waiter = "step mm0 x10\nunmap hva=5 pages=1\nstep mm1 x3\n"
        let (_, y) = world(text + waiter)
        XCTAssertEqual(y.actors[2].pc, .n3Relock)
        XCTAssertEqual(stale(y), [:], "the yield in the invalid root's walk flushed the valid root's zap")
        let (_, n) = world(text + waiter, .rootZapFlushNotCarried)
        XCTAssertEqual(n.actors[2].pc, .n3Relock)
        XCTAssertEqual(stale(n).keys.sorted(), [5], "the variant yields with it pending")
        XCTAssertEqual(n.actors[2].tlbFlush, TLBFlush.earlierRoots)
        // The walker holds a reference on the root it walks (tdp_mmu_next_root()): R6 zaps the
        // invalid root and puts its own reference while mm0 is off the lock, and the root stays
        // until mm0's walk moves on; then mm0's put frees it.
        XCTAssertEqual(y.roots[old].refs, 2, "R6's reference (vcpu0 put its own at the reload) and the walker's")
        let (_, z) = world(text + waiter + "step mm1 x16\nstep nx x16\n")
        XCTAssertEqual(z.actors[7].pc, .idle, "the toggle finished: R6 put its reference")
        XCTAssertEqual(z.roots[old].state, .invalid, "the walker's reference keeps the root")
        XCTAssertEqual(z.roots[old].refs, 1)
        let (_, done) = world(text + waiter + "step mm1 x16\nstep nx x16\nstep mm0 x3\n")   // relock, [4,6), unlock
        XCTAssertEqual(done.roots[old].state, .free, "freed by the walker's put")
    }

    /// A vCPU's root reload (kvm_mmu_free_roots() / kvm_tdp_mmu_alloc_root()) takes mmu_lock
    /// for read: it waits for a writer, makes a zap walk at a yield point yield, and a vCPU
    /// whose root is valid takes no lock there. Shown to fail while the reload took no lock
    /// (vcpu0 reloaded under mm0's write lock).
    func testARootReloadTakesMmuLockForRead() {
        let text = """
            fault vcpu0 gfn=5 shared
            step vcpu0 x16
            nx-toggle
            step nx x16
            fault vcpu1 gfn=1 shared
            step vcpu1 x16
            fault vcpu1 gfn=2 shared
            step vcpu1 x16
            unmap hva=1 pages=2

            """
        let (_, w0) = world(text)
        XCTAssertEqual(w0.actors[7].pc, .idle, "setup: the toggle finished")
        let old = w0.actors[0].root
        XCTAssertNotEqual(old, none8)
        XCTAssertEqual(w0.roots[Int(old)].state, .invalid, "setup: vcpu0's root is obsolete")
        XCTAssertTrue(w0.leaf[1].present && w0.leaf[2].present, "setup: vcpu1 mapped gfns 1, 2 in the valid root")
        // mm0 holds mmu_lock for write (N3d, range_add; not at a yield point): vcpu0's reload waits.
        let (_, w) = world(text + "step mm0 x4\nfault vcpu0 gfn=9 shared\nstep vcpu0 x3\n")
        XCTAssertEqual(w.mmuWriter, 2)
        XCTAssertEqual(w.actors[0].pc, .f1Memslot, "the reload waits for the writer")
        XCTAssertEqual(w.actors[0].root, old)
        // The valid root has a page table for block 0 (gfns 1, 2): mm0's walk of it stops at the
        // yield point between gfn 1 and gfn 2, and vcpu0's reload makes it yield.
        let (_, y) = world(text + "step mm0 x4\nfault vcpu0 gfn=9 shared\nstep mm0 x1\nstep vcpu0 x2\n")
        XCTAssertEqual(y.actors[2].pc, .n3Relock, "mm0 yielded to the reload")
        XCTAssertNotEqual(y.actors[0].root, old, "vcpu0 reloaded")
        XCTAssertEqual(y.mmuReaders, 0, "the reload dropped the read lock in its step")
        // With a valid root (vcpu0 reloaded above) F1 takes no lock: it runs while mm0 holds it.
        let (_, z) = world(text + "step mm0 x4\nfault vcpu0 gfn=9 shared\nstep mm0 x1\nstep vcpu0 x16\nstep mm0 x1\nfault vcpu0 gfn=10 shared\nstep vcpu0 x2\n")
        XCTAssertEqual(z.mmuWriter, 2, "setup: mm0 relocked")
        XCTAssertEqual(z.actors[0].pc, .f6aSnapshot, "a valid root: F1 takes no lock and ran")
    }

    /// A root freed while the walker is off the lock leaves the walk (list_del_rcu), and a root
    /// allocated later at the same index is not walked (list_add_rcu puts it at the list's head,
    /// behind the walker), even once a second kvm_mmu_zap_all_fast() has invalidated it. Shown
    /// to fail before `putRoot` dropped freed roots from the walkers' lists (the walker went on
    /// to "next root r0").
    func testAWalkSkipsARootMadeAfterItBegan() {
        let text = """
            fault vcpu0 gfn=5 shared
            step vcpu0 x16
            nx-toggle
            step nx x2
            fault vcpu0 gfn=5 shared
            step vcpu0 x16
            unmap hva=2 pages=4
            step mm0 x5
            step nx x16
            nx-toggle
            step nx x16
            fault vcpu0 gfn=12 shared
            step vcpu0 x16
            nx-toggle
            step nx x2

            """
        let (_, w) = world(text)
        XCTAssertEqual(w.actors[2].pc, .n3Relock, "setup: mm0 yielded in its first root's walk (to R6's read_lock)")
        let walked = Int(w.actors[2].zapRoot)
        XCTAssertEqual(w.roots[walked].state, .invalid, "setup: the root mm0 walks was invalidated since")
        let reused = (0..<Cap.roots).first { $0 != walked && w.roots[$0].state == .invalid }
        XCTAssertNotNil(reused, "setup: a second invalid root")
        guard let reused else { return }
        XCTAssertNotEqual(w.roots[reused].hasPT & (1 << 3), 0,
                          "setup: it is the root vcpu0 made for gfn 12 (an MMIO SPTE: no memslot), at the index of the root listed when the walk began, freed since")
        XCTAssertEqual(w.actors[2].zapRootsLeft, 0, "the freed root left the walk")
        let (_, y) = world(text + "step mm0 x2\n")   // relock, [4,6) of the first root
        XCTAssertEqual(y.actors[2].pc, .n3Unlock, "the walk ends with its first root")
        XCTAssertNotEqual(y.actors[2].zapRoot, UInt8(reused))
    }

    /// kvm_mmu_zap_memslot() (a memslot delete/move without the zap-all quirk) is
    /// kvm_unmap_gfn_range() with range.may_block = true under the write lock: it walks the roots
    /// block by block, yields with a flush of what it zapped, and flushes before write_unlock.
    func testTheMemslotZapYieldsAndFlushes() {
        var c = WorldConfig.default
        c.zapAllOnSlotChange = false
        let text = """
            fault vcpu0 gfn=1 shared
            step vcpu0 x16
            fault vcpu0 gfn=5 shared
            step vcpu0 x16
            delete slot=0

            """
        let m = 4
        // M0, M1, M3a, swap, sync, M3c (write_lock), then the walk's 4K entries of block 0 (it
        // has a page table: vcpu0's 4K fault at gfn 1): gfn 0, the yield point passed, gfn 1.
        let (_, w) = world(text + "step memslot x9\n", config: c)
        XCTAssertEqual(w.actors[m].pc, .m3cYield, "at a yield point")
        XCTAssertEqual(w.mmuWriter, UInt8(m))
        XCTAssertEqual(stale(w).keys.sorted(), [1], "gfn 1 zapped, not yet flushed")
        let (_, p) = world(text + "step memslot x10\n", config: c)
        XCTAssertEqual(p.actors[m].pc, .m3cZap, "the yield point passed: nobody takes mmu_lock")
        XCTAssertEqual(stale(p).keys.sorted(), [1], "no yield, no flush")
        // vcpu1's fault on slot 1 takes the read lock at the yield point: the walk yields.
        let (_, y) = world(text + "step memslot x9\nfault vcpu1 gfn=9 shared\nstep vcpu1 x16\n", config: c)
        XCTAssertEqual(y.actors[m].pc, .m3cRelock)
        XCTAssertEqual(y.actors[1].pc, .idle, "vcpu1's fault ran in the yield")
        XCTAssertEqual(stale(y), [:], "flushed before the yield")
        // Every yield point passed: gfns 2, 3, then block 1's gfns 4-7 one by one (a page table too).
        let (_, z) = world(text + "step memslot x16\nstep memslot x5\n", config: c)
        XCTAssertEqual(z.actors[m].pc, .m3cUnlock)
        XCTAssertEqual(stale(z).keys.sorted(), [1, 5])
        let (v, done) = world(text + "step memslot x16\nstep memslot x6\n", config: c)
        XCTAssertNil(v.violation)
        XCTAssertEqual(done.actors[m].pc, .m5Replace)
        XCTAssertEqual(stale(done), [:], "kvm_mmu_zap_memslot_pages_and_flush() flushed before write_unlock")
        XCTAssertEqual(done.mmuWriter, none8)
        XCTAssertEqual(done.actors[m].mmuSeq, 0, "the walk's state is cleared")
        // With the quirk (the default world) the same delete zaps every root in one step instead.
        let (_, q) = world(text + "step memslot x7\n")
        XCTAssertNotEqual(q.actors[m].pc, .m3cYield)
    }

    /// The variant root-zap-flush-not-carried acts on kvm_mmu_zap_memslot()'s walk too: the
    /// valid root's zap of gfn 5 is not passed to the walk of the root vcpu1 still holds, whose
    /// yield then leaves it pending, and an MADV_DONTNEED in that window frees the page.
    func testTheMemslotZapCarriesTheFlushAcrossRoots() {
        var c = WorldConfig.default
        c.zapAllOnSlotChange = false
        let text = """
            fault vcpu1 gfn=1 shared
            step vcpu1 x16
            nx-toggle
            step nx x16
            fault vcpu0 gfn=5 shared
            step vcpu0 x16
            delete slot=0
            step memslot x16
            unmap hva=5 pages=1
            step mm0 x16

            """
        let (good, _) = world(text, config: c)
        XCTAssertNil(good.violation)
        let (bad, _) = world(text, .rootZapFlushNotCarried, config: c)
        XCTAssertEqual(bad.violation?.invariant, .staleTLB)
        XCTAssertNil(world(text, .rootZapFlushNotCarried).0.violation, "with the quirk there is no walk")
    }

    /// Two unmaps (MADV_DONTNEED) may overlap; any other host operation waits for the blocks.
    func testOnlyUnmapsOverlap() {
        let first = "unmap hva=2 pages=4\nstep mm0 x3\n"
        let (_, a) = world(first + "unmap hva=4 pages=1\nstep mm1\n")
        XCTAssertEqual(a.actors[3].pc, .n3Walk, "the second unmap passed N1")
        XCTAssertEqual(a.hostBusyUnmap, a.hostBusy)
        let (_, b) = world(first + "remap hva=4 pages=1\nstep mm1\n")
        XCTAssertEqual(b.actors[3].pc, .n1Count, "a remap waits for the unmap's blocks")
        let (_, c) = world("remap hva=2 pages=1\nstep mm0 x3\nunmap hva=3 pages=1\nstep mm1\n")
        XCTAssertEqual(c.actors[3].pc, .n1Count, "an unmap waits for a remap's blocks")
        // When one of two overlapping unmaps ends, the other still owns its blocks.
        let (v, d) = world("unmap hva=2 pages=4\nstep mm0 x2\nunmap hva=4 pages=1\nstep mm1 x16\n")
        XCTAssertNil(v.violation)
        XCTAssertEqual(d.actors[3].pc, .idle)
        XCTAssertNotEqual(d.actors[2].pc, .idle)
        XCTAssertEqual(d.hostBusy, 0b11, "mm0's blocks 0-1 stay busy")
    }
}
