import XCTest
@testable import FaultSync

/// Eager page splitting when dirty logging is enabled (EagerSplit.swift, E1-E3).
final class EagerSplitTests: XCTestCase {
    /// A huge SPTE for slot 1's gfn block 2 (hva 16-19 is a THP).
    let huge = """
        collapse block=4
        step mm0 x16
        fault vcpu0 gfn=8 shared
        step vcpu0 x16

        """

    func testEnablingDirtyLoggingSplitsTheSlotsHugeSptes() {
        let (_, before) = world(huge)
        XCTAssertTrue(before.huge[2].present, "setup: a huge SPTE")
        let (v, w) = world(huge + "flags slot=1 dirty-log=on\nstep memslot x16\nstep memslot x16\n")
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.huge[2].present, "split")
        XCTAssertNotEqual(w.roots[w.validRoot].hasPT & (1 << 2), 0, "a page table links the 4K SPTEs")
        XCTAssertEqual(w.roots[w.validRoot].nxDisallowed & (1 << 2), 0, "not an NX huge page (zeroed allocation)")
        for i in 0..<4 {
            XCTAssertTrue(w.leaf[8 + i].present)
            XCTAssertEqual(w.leaf[8 + i].pfn, before.huge[2].pfn + UInt16(i), "the same pages")
        }
        XCTAssertEqual(w.roots[w.validRoot].refs, 2, "the walk's root reference is put (the TDP MMU's and vcpu0's remain)")
        XCTAssertEqual(w.mmuReaders, 0)
        XCTAssertEqual(w.actors[4].pc, .idle)
    }

    func testTurningDirtyLoggingOffDoesNotSplit() {
        let (v, w) = world(huge + "flags slot=1 dirty-log=on\nstep memslot x16\nstep memslot x16\nrecover slot=1\nstep recover x16\n"
                           + "flags slot=1 dirty-log=off\nstep memslot x16\nstep memslot x16\n")
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.huge[2].present, "recover refused: dirty logging was on; off splits nothing and recovers nothing itself")
        let (_, w2) = world(huge + "flags slot=1 dirty-log=on\nstep memslot x16\nstep memslot x16\nflags slot=1 dirty-log=off\nstep memslot x16\nstep memslot x16\n"
                            + "recover slot=1\nstep recover x16\n")
        XCTAssertTrue(w2.huge[2].present, "huge-page recovery after dirty logging is off collapses the split table again")
    }

    /// The split drops mmu_lock to allocate; an invalidation zaps the huge SPTE meanwhile. The
    /// walk restarts at the SPTE and splits nothing (the variant splits the stale one: its litmus).
    func testARestartAfterTheAllocationSeesTheZap() {
        let text = huge + """
            flags slot=1 dirty-log=on
            step memslot x9
            remap hva=16 pages=1
            step mm0 x16
            step memslot x16
            """
        let (v, w) = world(text)
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.huge[2].present)
        for i in 0..<4 { XCTAssertFalse(w.leaf[8 + i].present, "nothing was split from the zapped SPTE") }
        XCTAssertEqual(verdict(text, .eagerSplitStaleSpte).violation?.invariant, .staleCommit, "negative control")
    }

    /// A vCPU fault splits the huge SPTE while the walk allocates: the walk restarts, finds a
    /// page table, and frees its unused one (nothing changes twice).
    func testAFaultThatSplitsFirstWins() {
        let (v, w) = world(huge + """
            flags slot=1 dirty-log=on
            step memslot x9
            fault vcpu1 gfn=9 shared
            step vcpu1 x16
            step memslot x16
            """)
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.huge[2].present)
        for i in 0..<4 { XCTAssertTrue(w.leaf[8 + i].present) }
        XCTAssertEqual(w.actors[4].pc, .idle)
    }

    /// The root the walk holds a reference to can be invalidated and zapped while the lock is
    /// dropped (an nx_huge_pages toggle): the walk goes on in it and then puts its reference.
    func testTheWalksReferenceKeepsAnInvalidatedRootUntilItIsDone() {
        let (v, w) = world(huge + """
            flags slot=1 dirty-log=on
            step memslot x9
            nx-toggle
            step nx x16
            step memslot x16
            """)
        XCTAssertNil(v.violation)
        XCTAssertEqual(w.validRoot, -1, "no vCPU has loaded a new root")
        XCTAssertEqual(w.roots[0].state, .invalid)
        XCTAssertEqual(w.roots[0].refs, 1, "only vcpu0's reference is left (the zapper's and the walk's are put)")
        XCTAssertEqual(w.mmuReaders, 0)
        XCTAssertEqual(w.actors[4].pc, .idle)
    }
}
