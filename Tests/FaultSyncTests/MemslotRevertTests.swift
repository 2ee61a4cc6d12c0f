import XCTest
@testable import FaultSync

/// kvm_set_memslot()'s error path: a MOVE whose kvm_prepare_memory_region() fails (x86: the new
/// range ends past kvm_mmu_max_gfn(), -EINVAL; the model's last gfn is that bound) after
/// kvm_invalidate_memslot() has published the INVALID copy and flushed, so the change is
/// reverted: kvm_activate_memslot(kvm, invalid_slot, old) (a second swap, which waits for
/// mn_active_invalidate_count and synchronizes SRCU), kfree(invalid_slot); old stays.
/// Negative control: with such a move refused at M1 (the model before 2026-11-29, eighteenth
/// session) nothing is published or zapped and the first assertions fail.
final class MemslotRevertTests: XCTestCase {
    func midWorld(_ text: String) -> (Verdict, World) { worldAtDrain(text) }

    let mapped = """
        fault vcpu0 gfn=9 shared
        step vcpu0 x16

        """

    func testAMoveThatFailsToPrepareIsReverted() {
        let (_, w0) = midWorld(mapped)
        let old = w0.containers[Int(w0.active)].slot[1]
        XCTAssertTrue(w0.leaf[9].present, "setup: gfn 9 (slot 1, [8,12)) mapped")
        // Slot 1 has 4 pages: at gfn 14 it would end at 18, past the 16 gfns.
        let (v1, w1) = midWorld(mapped + "move slot=1 gfn=14\nstep memslot x4\n")   // M0 M1 M3a W2-3
        XCTAssertNil(v1.violation)
        let inv = w1.containers[Int(w1.active)].slot[1]
        XCTAssertNotEqual(inv, old, "the INVALID copy is published")
        XCTAssertNotEqual(w1.objs[Int(inv)].flags & MemslotFlag.invalid, 0)
        XCTAssertEqual(w1.actors[4].newObj, none8, "no new slot for a move that will fail")
        // A fault meanwhile finds the INVALID slot and retries; a prefault returns -EAGAIN.
        let (_, w2) = midWorld(mapped + "move slot=1 gfn=14\nstep memslot x4\nfault vcpu1 gfn=9 shared\nstep vcpu1 x4\n")
        XCTAssertEqual(w2.actors[1].retries, 1, "RET_PF_RETRY on the INVALID slot")
        let (_, p2) = midWorld(mapped + "move slot=1 gfn=14\nstep memslot x4\nfault vcpu1 gfn=9 shared prefault\nstep vcpu1 x16\n")
        XCTAssertEqual(p2.actors[1].pc, .idle, "the prefault returned (-EAGAIN) ...")
        XCTAssertEqual(p2.actors[1].retries, 0, "... without a retry")
        XCTAssertEqual(p2.actors[4].pc, .wSync, "while the INVALID copy is still active")
        // The whole ioctl: the old object is active again, nothing was freed but the copy, and
        // the flush zapped gfn 9; two swaps, two generation steps.
        let (v3, w3) = world(mapped + "move slot=1 gfn=14\nstep memslot x16\nstep memslot x16\n")
        XCTAssertNil(v3.violation)
        XCTAssertEqual(w3.containers[Int(w3.active)].slot[1], old, "old is back in the active set")
        XCTAssertEqual(w3.containers[Int(w3.active ^ 1)].slot[1], old, "and in the inactive one")
        XCTAssertEqual(w3.objs[Int(old)].state, .live)
        XCTAssertEqual(w3.objs[Int(old)].base, 8)
        XCTAssertEqual(w3.objs[Int(old)].flags & MemslotFlag.invalid, 0)
        XCTAssertEqual(w3.objs[Int(inv)].state, .freed, "kfree(invalid_slot)")
        XCTAssertFalse(w3.leaf[9].present, "kvm_arch_flush_shadow_memslot() ran before the failure")
        XCTAssertEqual(w3.generation, w0.generation &+ 2)
        XCTAssertEqual(w3.actors[4].pc, .idle)
        // Afterwards gfn 9 faults in again through the old slot.
        let (v4, w4) = world(mapped + "move slot=1 gfn=14\nstep memslot x16\nstep memslot x16\nfault vcpu1 gfn=9 shared\nstep vcpu1 x16\n")
        XCTAssertNil(v4.violation)
        XCTAssertTrue(w4.leaf[9].present)
    }

    /// The target past the last gfn stands for one wholly past kvm_mmu_max_gfn(), where no memslot
    /// can be: it overlaps nothing, so the move fails in kvm_prepare_memory_region() even with
    /// slot 2 at [12,16), which a literal [14,18) would overlap (-EEXIST up front).
    func testAMovePastTheEndOverlapsNoSlot() {
        let (v, w) = world(mapped + """
            create slot=2 gfn=12 pages=4 hva=24
            step memslot x16
            move slot=1 gfn=14
            step memslot x16
            step memslot x16

            """)
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.leaf[9].present, "the move invalidated and flushed slot 1 before failing")
        XCTAssertEqual(w.objs[Int(w.containers[Int(w.active)].slot[1])].base, 8)
        XCTAssertNotEqual(w.containers[Int(w.active)].slot[2], none8, "slot 2 untouched")
    }

    /// The revert's kvm_swap_active_memslots() waits for mn_active_invalidate_count == 0, like
    /// every swap: a notifier between its start and end holds it at W2.
    func testTheRevertSwapWaitsForTheNotifier() {
        let text = mapped + """
            move slot=1 gfn=14
            step memslot x12         # M0 M1 M3a W2-3 W6 M3c, R6: read_lock + gfn 9, + the table, + the put
            unmap hva=18 pages=1
            step mm0 x2              # N1-2 (mn_active_invalidate_count 1), N3a
            step memslot x2          # M5 (the revert), W2-3: waits

            """
        let (v, w) = midWorld(text)
        XCTAssertNil(v.violation)
        XCTAssertEqual(w.mnActive, 1)
        XCTAssertEqual(w.actors[4].pc, .wSwap, "the revert's swap waits for the notifier")
        XCTAssertEqual(w.actors[4].phase, 2)
        let (v2, w2) = world(text + "step mm0 x16\nstep memslot x16\n")
        XCTAssertNil(v2.violation)
        XCTAssertEqual(w2.actors[4].pc, .idle)
    }
}
