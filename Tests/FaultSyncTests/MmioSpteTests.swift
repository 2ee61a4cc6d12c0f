import XCTest
@testable import FaultSync

/// MMIO SPTEs and the memslots generation (B12, I12): a fault on a gfn with no memslot installs
/// an MMIO SPTE tagged with the generation (make_mmio_spte); a later access through it is
/// emulated while check_mmio_spte() accepts it (no update in progress, same generation), and
/// goes the regular fault path once a memslot update changed the generation.
final class MmioSpteTests: XCTestCase {
    /// With no memslot update, the second access is emulated at F1 through the SPTE the first
    /// one made; after a create that covers the gfn, the correct model takes the regular path
    /// and maps the new memslot's page.
    func testMmioSpteIsHonouredUntilTheGenerationChanges() {
        let (v1, w1) = world("""
            fault vcpu0 gfn=13 shared
            step vcpu0 x16
            fault vcpu0 gfn=13 shared
            step vcpu0 x2           # F0, F1: the MMIO SPTE is accepted, emulated: done
            """)
        XCTAssertNil(v1.violation)
        XCTAssertEqual(w1.actors[0].pc, .idle)
        XCTAssertEqual(w1.leaf[13].mmioGen, 1)
        XCTAssertFalse(w1.leaf[13].present)

        let (v2, w2) = world("""
            fault vcpu0 gfn=13 shared
            step vcpu0 x16
            create slot=2 gfn=12 pages=2 hva=24
            step memslot x16
            fault vcpu0 gfn=13 shared
            step vcpu0 x16          # the generation changed: the regular fault maps gfn 13
            """)
        XCTAssertNil(v2.violation)
        XCTAssertTrue(w2.leaf[13].present)
        XCTAssertEqual(w2.leaf[13].mmioGen, 0)
        XCTAssertEqual(w2.generation, 1)
    }

    /// During an update the generation has the in-progress bit: an MMIO SPTE made then carries
    /// the old generation (the flag is not part of it) and is stale once the update finishes.
    func testAnMmioSpteMadeDuringAnUpdateIsStaleAfterIt() {
        let text = try! String(contentsOf: repoRoot.appendingPathComponent("corpus/regressions/mmio-gen-single-bump/litmus.txt"), encoding: .utf8)
        let (v, w) = world(text)
        XCTAssertNil(v.violation)
        XCTAssertTrue(w.leaf[13].present, "the second access mapped the new memslot's page")
        // Negative control: the variant's single increment at the swap lets the same SPTE match.
        XCTAssertEqual(verdict(text, .mmioGenSingleBump).violation?.invariant, .staleMmioSpte)
    }

    /// KVM_PRE_FAULT_MEMORY installs an MMIO SPTE on a gfn with no memslot too (kvm_handle_noslot_fault),
    /// and tdp_mmu_zap_leafs() leaves non-present SPTEs, MMIO ones included, in place.
    func testPrefaultMakesMmioSptesAndLeafZapsKeepThem() {
        let (v, w0) = world("""
            fault vcpu0 gfn=13 shared prefault
            step vcpu0 x16
            """)
        XCTAssertNil(v.violation)
        var w = w0
        XCTAssertEqual(w.leaf[13].mmioGen, 1)
        w.zapLeafs(0, 16)
        XCTAssertEqual(w.leaf[13].mmioGen, 1)
    }
}
