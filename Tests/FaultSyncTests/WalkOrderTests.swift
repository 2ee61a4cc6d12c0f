import XCTest
@testable import FaultSync

/// The memslot walks meet the memslots in the kernel's order (2026-11-29, nineteenth session;
/// until then by slot id or object index):
/// - an MMU notifier, kvm_for_each_memslot_in_hva_range(): the set's interval tree of hvas, by
///   start, equal starts in the order they were (re)inserted by kvm_replace_memslot();
/// - KVM_SET_MEMORY_ATTRIBUTES, kvm_for_each_memslot_in_gfn_range(): by gfn;
/// - a guest_memfd invalidation, xa_for_each_range(&f->bindings): by file offset.
final class WalkOrderTests: XCTestCase {
    /// The world as the schedule's events left it, before the drain.
    func at(_ text: String) -> World { worldAtDrain(text).1 }

    /// Slot 2 (hva 14-17) starts below slot 1 (hva 16-19): an invalidation of hva 16-17 walks
    /// slot 2 first, so its first range is slot 2's gfns (14, 15), not slot 1's (8, 9).
    func testTheNotifierWalksByHvaStart() {
        let setup = "create slot=2 gfn=12 pages=4 hva=14\nstep memslot x16\nunmap hva=16 pages=2\n"
        let w = at(setup + "step mm0 x4\n")   // N1-2, N3a, N3d lock + begin, N3e range_add
        XCTAssertEqual(w.actors[2].cursor, 2, "slot 2 first")
        XCTAssertEqual(w.rangeStart, 14)
        XCTAssertEqual(w.rangeEnd, 16)
        let done = at(setup + "step mm0 x16\n")
        XCTAssertEqual(done.rangeStart, 8, "then slot 1's gfns 8-9: the range grows to [8,16)")
        XCTAssertEqual(done.rangeEnd, 16)
        XCTAssertNil(worldAtDrain(setup).0.violation)
    }

    /// Aliases (the same start): slot 2 made after slot 1 comes after it, until slot 1 is
    /// replaced (a dirty-logging flags change re-inserts it): then slot 2 comes first.
    func testAliasesAreWalkedInInsertionOrder() {
        let alias = "create slot=2 gfn=12 pages=4 hva=16\nstep memslot x16\n"
        let a = at(alias + "unmap hva=16 pages=1\nstep mm0 x4\n")
        XCTAssertEqual(a.actors[2].cursor, 1, "slot 1, inserted first, first")
        XCTAssertEqual(a.rangeStart, 8)
        let flipped = alias + "flags slot=1 dirty-log=on\nstep memslot x16\nstep memslot x16\n"
        let f = at(flipped)
        XCTAssertEqual(f.actors[4].pc, .idle, "setup: the flags change is done")
        for c in 0..<2 {
            XCTAssertLessThan(f.containers[c].insertionRank(2), f.containers[c].insertionRank(1), "set \(c): slot 1 re-inserted last")
        }
        let b = at(flipped + "unmap hva=16 pages=1\nstep mm0 x4\n")
        XCTAssertEqual(b.actors[2].cursor, 2, "now slot 2 first")
        XCTAssertEqual(b.rangeStart, 12)
    }

    /// The insertion order is canonical: absent ids are not in it, so a state does not remember
    /// the history of a slot that is gone.
    func testTheInsertionOrderForgetsDeletedSlots() {
        var c = Container()
        c.replace(0, 0); c.replace(1, 1); c.replace(2, 2)
        XCTAssertEqual([0, 1, 2].map(c.insertionRank), [0, 1, 2])
        c.replace(0, 3)
        XCTAssertEqual([0, 1, 2].map(c.insertionRank), [2, 0, 1])
        c.replace(1, none8)
        XCTAssertEqual([0, 1, 2].map(c.insertionRank), [1, 3, 0])
        var d = Container()
        d.replace(2, 2); d.replace(0, 3)
        XCTAssertEqual(c.insertion, d.insertion, "the same present slots in the same order")
    }

    /// KVM_SET_MEMORY_ATTRIBUTES walks by gfn: slot 2 at gfns 8-11 below slot 1 moved to 12-15.
    func testTheAttributeWalkIsByGfn() {
        let setup = """
            move slot=1 gfn=12
            step memslot x16
            step memslot x16
            create slot=2 gfn=8 pages=4 hva=24
            step memslot x16
            attr gfn=8 pages=8 private

            """
        let w = at(setup + "step attr x4\n")   // T1 slots_lock, T2 checks, T4 lock + begin, T4 pre-set: range_add
        XCTAssertEqual(w.actors[5].cursor, 2, "slot 2 (gfn 8) first")
        XCTAssertEqual(w.rangeStart, 8)
        XCTAssertEqual(w.rangeEnd, 12)
        XCTAssertNil(worldAtDrain(setup).0.violation)
    }

    /// A guest_memfd invalidation walks the bindings by file offset (here: base gfn), not by
    /// the slot objects' pool index.
    func testTheBindingsAreWalkedByOffset() {
        var w = World()
        let bound = MemslotFlag.gmem | MemslotFlag.gmemBound
        w.objs[0] = MemslotObj(state: .live, id: 0, base: 8, npages: 4, uaddr: 0, flags: bound, mixed: 0, incarnation: 0, unpublishedAt: 0)
        w.objs[5] = MemslotObj(state: .live, id: 2, base: 0, npages: 4, uaddr: 24, flags: bound, mixed: 0, incarnation: 9, unpublishedAt: 0)
        w.actors[11].lo = 0
        w.actors[11].hi = 16
        XCTAssertEqual(w.nextBinding(11, after: -1), 5, "offset 0 first")
        XCTAssertEqual(w.nextBinding(11, after: 0), 0, "after offset 0: offset 8")
        XCTAssertEqual(w.nextBinding(11, after: 8), -1)
        // The walk resumes after the offset it was at, not after its slot object: with the object
        // at offset 0 gone (a variant's unbind) the binding at 8 is still next.
        w.objs[5].flags = 0
        XCTAssertEqual(w.nextBinding(11, after: 0), 0)
    }
}
