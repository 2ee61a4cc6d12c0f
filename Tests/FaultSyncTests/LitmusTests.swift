import XCTest
@testable import FaultSync

/// Litmus schedules, one actor at a time, on the correct model: the state each protocol leaves.
/// Default world: slot0 = gfn [0,8) at hva 0, slot1 = gfn [8,12) at hva 16, slot2 absent.
final class LitmusTests: XCTestCase {
    func testFaultInstallsA4KMappingOfTheHostPage() {
        let (v, w) = world("fault vcpu0 gfn=1 shared")
        XCTAssertNil(v.violation)
        XCTAssertTrue(w.leaf[1].present)
        XCTAssertNotEqual(w.host[1].pfn, 0, "GUP populated the host PTE")
        XCTAssertEqual(w.leaf[1].pfn, w.host[1].pfn)
        XCTAssertEqual(w.actors[0].pc, .idle)
        XCTAssertEqual(w.actors[0].srcuStart, 0, "left its SRCU read section")
    }

    func testFaultOnATHPInstallsAHugeMapping() {
        let (v, w) = world("""
            collapse block=0
            fault vcpu0 gfn=2 shared
            """)
        XCTAssertNil(v.violation)
        XCTAssertTrue(w.huge[0].present)
        XCTAssertEqual(w.huge[0].pfn, w.host[0].pfn)
        XCTAssertFalse(w.leaf[2].present)
    }

    func testDirtyLoggingForbidsHugeMappings() {
        // slot 1: a guest_memfd slot (slot 0) cannot have dirty logging.
        let (v, w) = world("""
            collapse block=4
            flags slot=1 dirty-log=on
            step memslot x16
            fault vcpu0 gfn=9 shared
            """)
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.huge[2].present)
        XCTAssertTrue(w.leaf[9].present)
    }

    func testGuestMemfdSlotsAreImmutable() {
        // "Private memslots are immutable, they can only be deleted." (kvm_set_memory_region)
        let (v, w) = world("""
            flags slot=0 dirty-log=on
            step memslot x16
            delete slot=1
            step memslot x16
            move slot=0 gfn=8      # legal for a plain slot now that [8,16) is free
            step memslot x16
            """)
        XCTAssertNil(v.violation)
        let o = w.objs[Int(w.containers[Int(w.active)].slot[0])]
        XCTAssertEqual(o.flags & MemslotFlag.dirtyLog, 0)
        XCTAssertEqual(o.base, 0)
        XCTAssertNotEqual(o.flags & MemslotFlag.gmem, 0)
    }

    func testFaultOutsideAnyMemslotMapsNothing() {
        let (v, w) = world("fault vcpu0 gfn=13 shared")
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.leaf[13].present)
    }

    func testNotifierZapsAndBumpsTheSequence() {
        let before = World().seq
        let (v, w) = world("""
            fault vcpu0 gfn=1 shared
            step vcpu0 x16
            remap hva=1 pages=1
            """)
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.leaf[1].present, "range_start zapped the SPTE")
        XCTAssertEqual(w.seq, before &+ 1)
        XCTAssertEqual(w.inProgress, 0)
        XCTAssertEqual(w.mnActive, 0)
        XCTAssertEqual(w.rangeStart, 1, "range is not reset by end")
    }

    func testNotifierMissingEveryMemslotTouchesNoCounter() {
        let before = World().seq
        let (v, w) = world("unmap hva=24 pages=2")
        XCTAssertNil(v.violation)
        XCTAssertEqual(w.seq, before)
        XCTAssertEqual(w.rangeStart, invalidGfn)
    }

    func testInFlightInvalidationMakesTheFaultRetry() {
        let (v, w) = world("""
            remap hva=1 pages=1
            step mm0 x7
            fault vcpu0 gfn=1 shared
            step vcpu0 x8
            """)
        XCTAssertNil(v.violation)
        XCTAssertGreaterThan(w.actors[0].retries, 0)
    }

    func testDeleteZapsAndUnpublishesTheSlot() {
        let (v, w) = world("""
            fault vcpu0 gfn=9 shared
            step vcpu0 x16
            delete slot=1
            """)
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.leaf[9].present)
        XCTAssertEqual(w.containers[Int(w.active)].slot[1], none8)
        XCTAssertEqual(w.containers[Int(w.active ^ 1)].slot[1], none8, "both sets converge")
        XCTAssertEqual(w.slotsLockHolder, none8)
    }

    func testSwapWaitsForActiveNotifiers() {
        let (v, w) = world("""
            unmap hva=24 pages=1
            step mm0 x2
            create slot=2 gfn=12 pages=4 hva=24
            step memslot x8
            """)
        XCTAssertNil(v.violation)
        // In the schedule the memslot update stopped at W2; it finished only in the drain.
        XCTAssertEqual(w.containers[Int(w.active)].slot[2] != none8, true)
        XCTAssertEqual(w.inProgress, 0)
    }

    func testMoveRemapsTheGfnRange() {
        let (v, w) = world("""
            move slot=1 gfn=12
            step memslot x16
            fault vcpu0 gfn=13 shared
            """)
        XCTAssertNil(v.violation)
        XCTAssertTrue(w.leaf[13].present)
        XCTAssertEqual(w.leaf[13].hva, 17)
    }

    func testAttributeChangeZapsAndPrivateFaultMapsGmem() {
        let (v, w) = world("""
            fault vcpu0 gfn=5 shared
            step vcpu0 x16
            attr gfn=5 pages=1 private
            step attr x16
            fault vcpu0 gfn=5 private
            """)
        XCTAssertNil(v.violation)
        XCTAssertTrue(w.isPrivate(5))
        XCTAssertTrue(w.leaf[5].present)
        XCTAssertTrue(w.leaf[5].isPrivate)
        let o = w.containers[Int(w.active)].slot[0]
        XCTAssertNotEqual(w.objs[Int(o)].mixed & 0b10, 0, "block 1 is MIXED now")
    }

    func testSharedFaultOnPrivateGfnExitsToUserspace() {
        let (v, w) = world("""
            attr gfn=5 pages=1 private
            step attr x16
            fault vcpu0 gfn=5 shared
            """)
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.leaf[5].present)
    }

    func testHugePageRecoveryPromotesOverAPresentLeaf() {
        let (v, w) = world("""
            flags slot=0 dirty-log=on
            step memslot x16
            collapse block=1
            step mm0 x16
            fault vcpu0 gfn=5 shared
            step vcpu0 x16
            flags slot=0 dirty-log=off
            step memslot x16
            recover slot=0
            """)
        XCTAssertNil(v.violation)
        XCTAssertTrue(w.huge[1].present)
        XCTAssertEqual(w.huge[1].pfn, w.host[4].pfn)
    }

    func testPrefaultOnInvalidSlotReturnsEagain() {
        let (v, w) = world("""
            fault vcpu0 gfn=9 shared prefault
            step vcpu0 x1
            delete slot=1
            step memslot x4
            step vcpu0 x4
            """)
        XCTAssertNil(v.violation)
        XCTAssertEqual(w.actors[0].retries, 0, "returned -EAGAIN instead of looping")
        XCTAssertFalse(w.leaf[9].present)
    }
}
