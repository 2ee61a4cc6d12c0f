import XCTest
@testable import FaultSync

/// guest_memfd and the gfn_to_pfn_cache, step by step against the kernel's rules.
final class GuestMemfdAndPfnCacheTests: XCTestCase {
    func testPrivateFaultOnAPlainSlotExitsToUserspace() {
        // kvm_mmu_faultin_pfn_private(): !kvm_slot_can_be_private(slot) -> memory fault exit.
        let (v, w) = world("""
            attr gfn=9 pages=1 private
            step attr x16
            fault vcpu0 gfn=9 private
            step vcpu0 x16
            """)
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.leaf[9].present)
        XCTAssertEqual(w.gmemPfn[9], 0)
    }

    func testPrivateFaultAllocatesAnOrderZeroFolioAndMaps4K() {
        let (v, w) = world("""
            attr gfn=0 pages=4 private
            step attr x16
            fault vcpu0 gfn=1 private
            step vcpu0 x16
            """)
        XCTAssertNil(v.violation)
        XCTAssertNotEqual(w.gmemPfn[1], 0, "kvm_gmem_get_pfn allocates on first touch")
        XCTAssertTrue(w.leaf[1].present && w.leaf[1].isPrivate)
        XCTAssertEqual(w.leaf[1].pfn, w.gmemPfn[1])
        XCTAssertFalse(w.huge[0].present, "private mappings are capped at the folio's order: 4K")
    }

    func testPunchHoleZapsTruncatesAndBumpsTheSequence() {
        let seq0 = World().seq
        let (v, w) = world("""
            attr gfn=0 pages=4 private
            step attr x16
            fault vcpu0 gfn=1 private
            step vcpu0 x16
            punch-hole gfn=0 pages=4
            step gmem x16
            """)
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.leaf[1].present)
        XCTAssertEqual(w.gmemPfn[1], 0)
        XCTAssertEqual(w.seq, seq0 &+ 2, "the attribute change and the punch hole each end an invalidation")
        XCTAssertEqual(w.inProgress, 0)
        XCTAssertEqual(w.gmemInvalidateLock, none8)
    }

    /// memory_failure() on a guest_memfd folio: poisoned, not truncated; kvm_gmem_error_folio()
    /// zaps the SPTE under an invalidation (seq bumped); a later fault gets -EHWPOISON.
    func testMemoryFailurePoisonsZapsAndLaterFaultsFail() {
        let seq0 = World().seq
        let (v, w) = world("""
            attr gfn=1 pages=1 private
            step attr x16
            fault vcpu0 gfn=1 private
            step vcpu0 x16
            gmem-error gfn=1
            step gmem x16
            fault vcpu1 gfn=1 private
            step vcpu1 x16
            """)
        XCTAssertNil(v.violation)
        XCTAssertNotEqual(w.gmemPfn[1], 0, "the poisoned folio stays in the file (no truncation)")
        XCTAssertEqual(w.gmemPoison, 1 << 1)
        XCTAssertEqual(w.gmemPoisonHandled, 1 << 1)
        XCTAssertFalse(w.leaf[1].present, "zapped by kvm_gmem_invalidate_begin, and not mapped again")
        XCTAssertEqual(w.seq, seq0 &+ 2)
        XCTAssertEqual(w.inProgress, 0)
        XCTAssertEqual(w.gmemInvalidateLock, none8)
    }

    /// A fault that looked the folio up before the poison retries at F8 (the handler's
    /// begin/end bumped the sequence) and then fails in kvm_gmem_get_pfn: nothing is mapped.
    func testFaultRacingMemoryFailureRetriesAndFails() {
        let (v, w) = world("""
            attr gfn=1 pages=1 private
            step attr x16
            fault vcpu0 gfn=1 private
            step vcpu0 x6           # F0 ... F6g: the folio's pfn is looked up
            gmem-error gfn=1
            step gmem x16
            step vcpu0 x16
            """)
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.leaf[1].present)
        XCTAssertFalse(w.actors[0].busy)
    }

    /// Negative control of the poison oracle: an SPTE left mapping the poisoned folio when
    /// kvm_gmem_error_folio() returns is reported (variant gmem-error-without-invalidation).
    func testPoisonOracleFiresOnASurvivingSPTE() {
        let (v, _) = world("""
            attr gfn=1 pages=1 private
            step attr x16
            fault vcpu0 gfn=1 private
            step vcpu0 x16
            gmem-error gfn=1
            step gmem x16
            """, .gmemErrorWithoutInvalidation)
        XCTAssertEqual(v.violation?.invariant, .staleCommit)
        XCTAssertEqual(v.violation?.why, .spteMapsPoisoned)
    }

    func testReleaseZapsThenFaultsFailAndEvictionFreesTheFolios() {
        let (v, w) = world("""
            attr gfn=0 pages=4 private
            step attr x16
            fault vcpu0 gfn=1 private
            step vcpu0 x16
            gmem-release
            step gmem x16
            fault vcpu1 gfn=2 private
            step vcpu1 x16
            """)
        XCTAssertNil(v.violation)
        XCTAssertTrue(w.gmemReleased && w.gmemDying)
        XCTAssertFalse(w.leaf[1].present)
        XCTAssertFalse(w.leaf[2].present, "no file: -EFAULT")
        XCTAssertEqual(w.gmemPfn[1], 0, "evicted")
        XCTAssertEqual(w.slotsLockHolder, none8)
    }

    func testDeleteOfAGuestMemfdSlotUnbindsAndACreateBinds() {
        let (v, w) = world("""
            delete slot=0
            step memslot x16
            step memslot x16
            create slot=2 gfn=12 pages=4 hva=24 gmem
            step memslot x16
            """)
        XCTAssertNil(v.violation)
        var bound: [Int] = []
        for o in 0..<Cap.objects where w.objs[o].flags & MemslotFlag.gmemBound != 0 { bound.append(Int(w.objs[o].base)) }
        XCTAssertEqual(bound, [12], "slot 0 unbound when freed; slot 2 bound")
    }

    func testPfnCacheFollowsTheHostThroughAnInvalidation() {
        let (v, w) = world("""
            gpc activate gfn=9
            step gpc0 x16
            remap hva=17 pages=1
            step mm0 x16
            gpc use
            step gpc0 x16
            """)
        XCTAssertNil(v.violation)
        XCTAssertTrue(w.gpc.valid && w.gpc.active && w.gpc.onList)
        XCTAssertEqual(w.gpc.uhva, 17)
        XCTAssertEqual(w.gpc.pfn, w.host[17].pfn, "refreshed after the notifier invalidated it")
    }

    func testPfnCacheRefreshRetriesWhileAnInvalidationIsInFlight() {
        var w = World()
        func run(_ a: Int, _ n: Int) { for _ in 0..<n where w.runnable(a) { w.step(a); w.checkStep() } }
        XCTAssertTrue(w.start(sched("gpc activate gfn=9").events[0]))
        run(9, 5)                                   // C0-C4: snapshot, unlock
        XCTAssertEqual(w.actors[9].pc, .c5Lookup)
        XCTAssertTrue(w.start(sched("remap hva=17 pages=1").events[0]))
        run(2, 1)                                   // N1-2: mn_active_invalidate_count = 1
        XCTAssertEqual(w.mnActive, 1)
        run(9, 2)                                   // C5 GUP (the old page), C6: retry
        XCTAssertEqual(w.actors[9].pc, .c4Snapshot)
        XCTAssertEqual(w.actors[9].retries, 1)
        XCTAssertFalse(w.gpc.valid)
        run(2, 16)                                  // the notifier finishes
        run(9, 16)                                  // the refresh publishes the new page
        XCTAssertNil(w.violation)
        XCTAssertTrue(w.gpc.valid)
        XCTAssertEqual(w.gpc.pfn, w.host[17].pfn)
    }

    func testDeactivatedCacheFailsTheCheckAndLeavesTheList() {
        let (v, w) = world("""
            gpc activate gfn=9
            step gpc0 x16
            gpc deactivate
            step gpc0 x16
            gpc use
            step gpc0 x16
            """)
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.gpc.active || w.gpc.valid || w.gpc.onList)
        XCTAssertEqual(w.gpc.refreshLock, none8)
        XCTAssertEqual(w.gpc.readers, 0)
    }

    /// Negative control for the pfn-cache oracle: a valid cache whose page the host freed.
    func testPfnCacheOracleFiresOnAStaleValidCache() {
        var w = World()
        XCTAssertTrue(w.start(sched("gpc activate gfn=9").events[0]))
        for _ in 0..<16 where w.actors[9].busy { w.step(9); w.checkStep() }
        XCTAssertNil(w.violation)
        w.host[17].pfn = 99                 // the host changes the PTE behind the notifier's back
        w.mapDirty = true
        w.checkStep()
        XCTAssertEqual(w.violation?.why, .gpcStale)
    }

    /// Negative control for the private-SPTE oracle: a private SPTE to a truncated folio.
    func testPrivateSpteOracleFiresOnATruncatedFolio() {
        var (_, w) = world("""
            attr gfn=0 pages=4 private
            step attr x16
            fault vcpu0 gfn=1 private
            step vcpu0 x16
            """)
        XCTAssertNil(w.violation)
        w.gmemTruncate(1, 2)                // truncation with no zap
        w.checkStep()
        XCTAssertEqual(w.violation?.why, .spteGmemStale)
    }
}
