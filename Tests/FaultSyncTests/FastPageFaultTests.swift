import XCTest
@testable import FaultSync

/// The world without A/D bits (`--no-ad-bits`, kvm_ad_enabled false): make_spte() marks a
/// prefetch SPTE (KVM_PRE_FAULT_MEMORY) for access tracking, and every fault first tries
/// fast_page_fault() (F2a, F2b), which restores an access-tracked SPTE with a cmpxchg and no
/// mmu_lock, no mmu_invalidate_seq. The default world never takes that path.
final class FastPageFaultTests: XCTestCase {
    static var noAD: WorldConfig { var c = WorldConfig(); c.adBits = false; return c }

    func run(_ text: String, _ c: WorldConfig, _ v: Variant = .none, actor: Int = 0) -> (Verdict, World, ActorSteps) {
        runObserving(text, c, v, actor: actor)
    }

    static let prefault = """
        fault vcpu1 gfn=9 shared prefault
        step vcpu1 x16

        """

    func testAPrefaultMakesAnAccessTrackedSPTEOnlyWithoutADBits() {
        let (v0, a) = worldAtDrain(Self.prefault)
        XCTAssertNil(v0.violation)
        XCTAssertTrue(a.leaf[9].present)
        XCTAssertFalse(a.leaf[9].accessTracked, "with A/D bits the Accessed bit is simply left clear")
        let (v1, b) = worldAtDrain(Self.prefault, config: Self.noAD)
        XCTAssertNil(v1.violation)
        XCTAssertTrue(b.leaf[9].present)
        XCTAssertTrue(b.leaf[9].accessTracked, "mark_spte_for_access_track() for a prefetch")
    }

    /// The guest's access to the prefaulted page: F0, F1, F2a, F2b and done, with mmu_lock
    /// never held; the SPTE restored, same page.
    func testTheFastPathRestoresWithoutMmuLock() {
        let text = Self.prefault + "fault vcpu0 gfn=9 shared\nstep vcpu0 x8\n"
        let (v, w, s) = run(text, Self.noAD)
        XCTAssertNil(v.violation)
        XCTAssertEqual(s.pcs, [.f0SrcuLock, .f1Memslot, .f2FastWalk, .f2FastFix])
        XCTAssertEqual(s.lockedAt, [false, false, false, false])
        XCTAssertTrue(w.leaf[9].present)
        XCTAssertFalse(w.leaf[9].accessTracked)
        XCTAssertEqual(w.leaf[9].pfn, worldAtDrain(Self.prefault, config: Self.noAD).1.leaf[9].pfn)
        // Once restored, the next fault there is RET_PF_SPURIOUS at F2a.
        let (v2, _, s2) = run(text + "fault vcpu0 gfn=9 shared\nstep vcpu0 x8\n", Self.noAD)
        XCTAssertNil(v2.violation)
        XCTAssertEqual(Array(s2.pcs.suffix(3)), [.f0SrcuLock, .f1Memslot, .f2FastWalk])
    }

    /// The default world: the same schedule goes the slow path (F6a...), never F2.
    func testWithADBitsThereIsNoFastPath() {
        let text = Self.prefault + "fault vcpu0 gfn=9 shared\nstep vcpu0 x16\n"
        let (v, _, s) = run(text, .default)
        XCTAssertNil(v.violation)
        XCTAssertFalse(s.pcs.contains(.f2FastWalk) || s.pcs.contains(.f2FastFix))
        XCTAssertTrue(s.pcs.contains(.f8Stale))
    }

    /// A zap between F2a's read and F2b's cmpxchg: the cmpxchg fails, the next pass finds no
    /// SPTE and the slow path maps the host's new page (the corpus litmus of fast-pf-plain-write,
    /// whose variant stores instead and maps the freed page).
    func testTheCmpxchgFailsWhenTheSPTEWasZapped() throws {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("corpus/regressions/fast-pf-plain-write/litmus.txt"),
                              encoding: .utf8)
        let (v, w, s) = run(text, Self.noAD)
        XCTAssertNil(v.violation)
        XCTAssertEqual(Array(s.pcs.prefix(6)), [.f0SrcuLock, .f1Memslot, .f2FastWalk, .f2FastFix, .f2FastWalk, .f6aSnapshot])
        XCTAssertEqual(w.leaf[9].pfn, w.host[17].pfn, "mapped again through the slow path")
        let (bad, _, _) = run(text, .default, .fastPfPlainWrite)
        XCTAssertEqual(bad.violation?.invariant, .staleCommit, "the variant implies the world without A/D bits")
        XCTAssertEqual(bad.violation?.why, .sptePfnFreed)
    }

    /// fast_page_fault() gives up after 4 retries ("Fast #PF retrying more than 4 times") and
    /// takes the slow path: each retry here is a cmpxchg that fails because the SPTE was zapped
    /// and prefaulted again (another page) after F2a read it.
    func testMoreThanFourRetriesTakeTheSlowPath() {
        var text = Self.prefault + "fault vcpu0 gfn=9 shared\nstep vcpu0 x3\n"
        for _ in 0..<5 {
            text += "remap hva=17 pages=1\nstep mm0 x16\nfault vcpu1 gfn=9 shared prefault\nstep vcpu1 x16\nstep vcpu0 x2\n"
        }
        let (v, w, s) = run(text, Self.noAD)
        XCTAssertNil(v.violation)
        XCTAssertEqual(s.pcs.filter { $0 == .f2FastFix }.count, 5)
        let fifth = s.pcs.lastIndex(of: .f2FastFix)!
        XCTAssertEqual(s.pcs[fifth + 1], .f6aSnapshot, "the fifth failure (retry_count 5 > 4) goes to the slow path")
        XCTAssertEqual(s.pcs[fifth - 1], .f2FastWalk)
        XCTAssertEqual(w.leaf[9].pfn, w.host[17].pfn)
    }

    /// A KVM_RUN fault that reaches F11 over an access-tracked leaf (a prefault mapped it after
    /// the fault's F2a) is not spurious (is_access_allowed() is false): make_spte() replaces the
    /// leaf, same page. handle_changed_spte()'s BUG() guards that replacement: shown firing by a
    /// leaf whose pfn is not the fault's (set by hand: the correct protocol never gets there).
    func testTheSlowPathReplacesAnAccessTrackedLeafAndBUGsOnAPfnChange() {
        let text = "fault vcpu0 gfn=9 shared\nstep vcpu0 x3\n" + Self.prefault + "step vcpu0 x8\n"
        let (v, w0) = worldAtDrain(text, config: Self.noAD)
        XCTAssertNil(v.violation)
        XCTAssertEqual(w0.actors[0].pc, .f11Install)
        XCTAssertTrue(w0.leaf[9].accessTracked)
        var w = w0
        w.step(0)
        w.checkStep()
        XCTAssertNil(w.violation)
        XCTAssertTrue(w.leaf[9].present)
        XCTAssertFalse(w.leaf[9].accessTracked, "replaced by the fault's (accessed) SPTE")
        var x = w0
        let r = Int(x.actors[0].root)
        x.roots[r].leaf[9].pfn &+= 1
        x.step(0)
        XCTAssertEqual(x.violation?.invariant, .kernelBug)
        XCTAssertEqual(x.violation?.why, .bugLeafPfnChanged)
        // A prefault that reaches F11 over the access-tracked leaf is spurious (fault->prefetch):
        // no replacement. (One that starts after it restores it at F2: KVM_PRE_FAULT_MEMORY
        // goes through fast_page_fault() too.)
        let pre = "fault vcpu0 gfn=9 shared prefault\nstep vcpu0 x4\n" + Self.prefault + "step vcpu0 x16\n"
        let (v2, w2, s2) = run(pre, Self.noAD)
        XCTAssertNil(v2.violation)
        XCTAssertTrue(s2.pcs.contains(.f11Install))
        XCTAssertTrue(w2.leaf[9].accessTracked)
        let (v3, w3, s3) = run(Self.prefault + "fault vcpu0 gfn=9 shared prefault\nstep vcpu0 x16\n", Self.noAD)
        XCTAssertNil(v3.violation)
        XCTAssertEqual(s3.pcs, [.f0SrcuLock, .p0Reload, .f1Memslot, .f2FastWalk, .f2FastFix])
        XCTAssertFalse(w3.leaf[9].accessTracked)
    }

    /// An instruction fetch from a huge SPTE made while the NX huge page mitigation was on is not
    /// fixed by the fast path (the restored SPTE is still not executable): the slow path, which
    /// splits it. A read of it is restored.
    func testAFetchFromAnNXHugeSPTETakesTheSlowPath() {
        let huge = "collapse block=4\nstep mm0 x16\nfault vcpu1 gfn=9 shared prefault\nstep vcpu1 x16\n"
        let (_, w0) = worldAtDrain(huge, config: Self.noAD)
        XCTAssertTrue(w0.huge[2].present && w0.huge[2].accessTracked && w0.huge[2].nx, "setup: an access-tracked NX huge SPTE")
        let (v, _, s) = run(huge + "fault vcpu0 gfn=9 shared exec\nstep vcpu0 x6\n", Self.noAD)
        XCTAssertNil(v.violation)
        XCTAssertEqual(Array(s.pcs.prefix(4)), [.f0SrcuLock, .f1Memslot, .f2FastWalk, .f6aSnapshot])
        let (v2, w2, s2) = run(huge + "fault vcpu0 gfn=9 shared\nstep vcpu0 x6\n", Self.noAD)
        XCTAssertNil(v2.violation)
        XCTAssertEqual(s2.pcs, [.f0SrcuLock, .f1Memslot, .f2FastWalk, .f2FastFix])
        XCTAssertTrue(w2.huge[2].present && !w2.huge[2].accessTracked)
    }

    /// World flags: `--no-ad-bits` is part of the replay hints; TDX keeps the A/D bits.
    func testTheWorldFlag() {
        XCTAssertEqual(Self.noAD.worldFlags, " --no-ad-bits")
        var tdx = Self.noAD
        tdx.mirrorTDP = true
        XCTAssertTrue(World(config: tdx).adBits)
        XCTAssertFalse(World(config: .default, variant: .fastPfPlainWrite).adBits)
        XCTAssertTrue(World(config: .default).adBits)
    }
}
