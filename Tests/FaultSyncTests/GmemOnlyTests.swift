import XCTest
@testable import FaultSync

/// A guest_memfd created with GUEST_MEMFD_FLAG_MMAP (`--gmem-mmap`): gmem-only memslots whose
/// shared faults guest_memfd serves; and the mirrored-TDP world (`--mirror-tdp`), where unmaps
/// honour attr_filter. Finding gmem-mmap-shared-not-zapped lives where the two meet.
final class GmemOnlyTests: XCTestCase {
    func cfg(mmap: Bool = true, mirror: Bool = false, fixes: FixSet = .all) -> WorldConfig {
        var c = WorldConfig()
        c.gmemMmap = mmap
        c.mirrorTDP = mirror
        c.fixes = fixes
        return c
    }

    func run(_ text: String, _ c: WorldConfig) -> (Verdict, World) {
        Checker.finalWorld(sched(text).bytes, config: c)
    }

    func testBindMarksTheSlotGmemOnlyOnlyWithMmap() {
        XCTAssertNotEqual(World(config: cfg()).objs[0].flags & MemslotFlag.gmemOnly, 0)
        XCTAssertEqual(World(config: cfg(mmap: false)).objs[0].flags & MemslotFlag.gmemOnly, 0)
        XCTAssertEqual(World(config: cfg()).objs[1].flags & MemslotFlag.gmemOnly, 0, "slot 1 is not bound")
        // A slot created with `gmem` later is bound to the same file: gmem-only too.
        let (v, w) = run("create slot=2 gfn=12 pages=4 hva=24 gmem\nstep memslot x16\n", cfg())
        XCTAssertNil(v.violation)
        let o = Int(w.containers[Int(w.active)].slot[2])
        XCTAssertNotEqual(w.objs[o].flags & MemslotFlag.gmemOnly, 0)
    }

    /// __kvm_mmu_faultin_pfn(): a shared fault on a gmem-only slot is served by kvm_gmem_get_pfn(),
    /// not GUP: the SPTE maps the file's folio at 4K, and no host PTE is filled.
    func testSharedFaultOnAGmemOnlySlotMapsTheFolio() {
        let text = "fault vcpu0 gfn=1 shared\nstep vcpu0 x16\n"
        let (v, w) = run(text, cfg())
        XCTAssertNil(v.violation)
        XCTAssertTrue(w.leaf[1].present)
        XCTAssertFalse(w.leaf[1].isPrivate)
        XCTAssertTrue(w.leaf[1].fromGmem)
        XCTAssertNotEqual(w.gmemPfn[1], 0)
        XCTAssertEqual(w.leaf[1].pfn, w.gmemPfn[1])
        XCTAssertEqual(w.host[1].pfn, 0, "no GUP of the slot's hva")
        // Without MMAP the same fault is a GUP of hva 1.
        let (v2, w2) = run(text, cfg(mmap: false))
        XCTAssertNil(v2.violation)
        XCTAssertEqual(w2.leaf[1].pfn, w2.host[1].pfn)
        XCTAssertEqual(w2.gmemPfn[1], 0)
    }

    /// A whole huge block faulted shared: host memory would allow a huge mapping (THP), guest_memfd
    /// folios are order 0, so the gmem-only slot maps 4K.
    func testGmemOnlySharedMemoryIsMapped4K() {
        let text = "collapse block=0\nstep mm0 x16\nfault vcpu0 gfn=1 shared\nstep vcpu0 x16\n"
        let (_, plain) = run(text, cfg(mmap: false))
        XCTAssertTrue(plain.huge[0].present, "control: a plain shared fault over a THP maps huge")
        let (v, w) = run(text, cfg())
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.huge[0].present)
        XCTAssertTrue(w.leaf[1].present)
        // The variant reads the slot's real hva for the host level (the first PMD read): only
        // F10's gmem-only cap keeps the level at 4K there.
        let (v2, w2) = Checker.finalWorld(sched(text).bytes, variant: .hostWalkDoubleRead, config: cfg())
        XCTAssertNil(v2.violation, v2.violation?.message ?? "")
        XCTAssertFalse(w2.huge[0].present, "guest_memfd folios are order 0")
    }

    /// A punch hole zaps the shared SPTE (every VM without mirrored TDP zaps both kinds) before it
    /// truncates; with mirrored TDP only the candidate fix's filter does.
    func testPunchHoleZapsTheSharedSpte() {
        let text = "fault vcpu0 gfn=1 shared\nstep vcpu0 x16\npunch-hole gfn=1 pages=1\nstep gmem x16\n"
        for c in [cfg(), cfg(fixes: .none), cfg(mirror: true)] {
            let (v, w) = run(text, c)
            XCTAssertNil(v.violation, v.violation?.message ?? "")
            XCTAssertFalse(w.leaf[1].present)
            XCTAssertEqual(w.gmemPfn[1], 0)
        }
        let (v, w) = run(text, cfg(mirror: true, fixes: .none))
        XCTAssertEqual(v.violation?.invariant, .staleCommit, "the finding: KVM_FILTER_PRIVATE skips the direct root")
        XCTAssertEqual(v.violation?.why, .spteGmemStale)
        XCTAssertTrue(w.leaf[1].present)
        XCTAssertEqual(Finding.classify(sched(text).bytes, config: cfg(mirror: true, fixes: .none)), .gmemMmapSharedZap)
    }

    /// A host-mm change of the gmem-only slot's hvas still zaps its SPTEs (the notifier walks
    /// memslots by hva; nothing skips gmem-only slots), but frees no guest_memfd folio.
    func testHostChangeOfTheSlotsHvaZapsButFreesNoFolio() {
        let (v, w) = run("fault vcpu0 gfn=1 shared\nstep vcpu0 x16\nunmap hva=0 pages=4\nstep mm0 x16\nstep mm0 x16\n", cfg())
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.leaf[1].present, "over-zapped")
        XCTAssertNotEqual(w.gmemPfn[1], 0)
        XCTAssertFalse(w.isFreed(w.gmemPfn[1]))
    }

    /// Mirrored TDP: the MMU notifier passes KVM_FILTER_SHARED (private SPTEs stay); an attribute
    /// change zaps only the old kind.
    func testMirroredTDPHonoursTheFilters() {
        let priv = "attr gfn=1 pages=1 private\nstep attr x16\nfault vcpu0 gfn=1 private\nstep vcpu0 x16\n"
        let (v, w) = run(priv + "unmap hva=0 pages=4\nstep mm0 x16\nstep mm0 x16\n", cfg(mmap: false, mirror: true))
        XCTAssertNil(v.violation)
        XCTAssertTrue(w.leaf[1].present && w.leaf[1].isPrivate, "hva-based notifications skip private (mirror) SPTEs")
        let (v2, w2) = run(priv + "unmap hva=0 pages=4\nstep mm0 x16\nstep mm0 x16\n", cfg(mmap: false))
        XCTAssertNil(v2.violation)
        XCTAssertFalse(w2.leaf[1].present, "without mirrored TDP the filter is ignored")
        // Converting back to shared zaps the private SPTE (KVM_FILTER_PRIVATE).
        let (v3, w3) = run(priv + "attr gfn=1 pages=1 shared\nstep attr x16\n", cfg(mmap: false, mirror: true))
        XCTAssertNil(v3.violation)
        XCTAssertFalse(w3.leaf[1].present)
    }

    func testMirroredTDPHasNoZapAllQuirkAndNoApicPage() {
        let w = World(config: cfg(mmap: false, mirror: true))
        XCTAssertFalse(w.zapAllOnSlotChange)
        XCTAssertLessThan(w.apicGfn, 0)
    }

    /// An input with two findings (a prefault spin started by an nx_huge_pages toggle, and the
    /// punch hole): classified by the one that explains its first violation.
    func testAnInputWithTwoFindingsIsClassifiedByItsFirstViolation() {
        let text = """
            fault vcpu0 gfn=1 shared
            step vcpu0 x16
            fault vcpu1 gfn=9 shared prefault
            step vcpu1 x3
            punch-hole gfn=1 pages=1
            step gmem x16
            nx-toggle
            step nx x3
            """
        let plain = cfg(mirror: true, fixes: .none)
        XCTAssertEqual(Checker.check(sched(text).bytes, config: plain).violation?.invariant, .staleCommit)
        XCTAssertEqual(Finding.classify(sched(text).bytes, config: plain), .gmemMmapSharedZap)
        var spinOnly = plain
        spinOnly.fixes = .init([Finding.gmemMmapSharedZap.fixFlag])
        XCTAssertEqual(Checker.check(sched(text).bytes, config: spinOnly).violation?.invariant, .hangUntilSignal)
        XCTAssertNil(Checker.check(sched(text).bytes, config: cfg(mirror: true)).violation)
    }

    // MARK: INIT_SHARED (--gmem-init-shared)

    func shared(fixes: FixSet = .all) -> WorldConfig {
        var c = WorldConfig()
        c.gmemInitShared = true
        c.gmemMmap = true
        c.fixes = fixes
        return c
    }

    /// The VMM's mapping of the file: a GUP of slot 0's hva faults the file's folio in
    /// (kvm_gmem_fault_user_mapping), and a KVM fault maps that same folio.
    func testInitSharedUserMappingAndKvmSeeTheSameFolio() {
        let (v, w) = run("gpc activate gfn=1\nstep gpc0 x16\nfault vcpu0 gfn=1 shared\nstep vcpu0 x16\n", shared())
        XCTAssertNil(v.violation)
        XCTAssertNotEqual(w.gmemPfn[1], 0)
        XCTAssertEqual(w.host[1].pfn, w.gmemPfn[1])
        XCTAssertEqual(w.gpc.pfn, w.gmemPfn[1])
        XCTAssertEqual(w.leaf[1].pfn, w.gmemPfn[1])
        XCTAssertTrue(w.gpc.valid)
    }

    /// A punch hole of a mapped folio: the truncation unmaps it through the MMU notifier (a host-mm
    /// actor runs the invalidation: count, gpc invalidated, begin/end nested in the guest_memfd
    /// invalidation), then frees it; the cache refreshes onto a new folio.
    func testInitSharedPunchHoleUnmapsThroughTheNotifierAndInvalidatesTheCache() {
        let seq0 = World().seq
        let text = """
            gpc activate gfn=1
            step gpc0 x16
            punch-hole gfn=1 pages=1
            step gmem x6
            """
        var r = TraceRecorder()
        _ = sched(text).bytes.withUnsafeBytes { Checker.run($0, variant: .none, config: shared(), observer: &r) }
        XCTAssertTrue(r.entries.contains { $0.effect.contains("mm0: unmap_mapping_folio of the user mapping hva [1,2) starts") })
        XCTAssertTrue(r.entries.contains { $0.label == "G5w" }, "the truncation waits for that invalidation")
        let (v2, w2) = run(text + "\nstep mm0 x16\nstep gmem x16\n", shared())
        XCTAssertNil(v2.violation)
        XCTAssertEqual(w2.gmemPfn[1], 0)
        XCTAssertEqual(w2.host[1].pfn, 0)
        XCTAssertFalse(w2.gpc.valid, "gfn_to_pfn_cache_invalidate_start() at the notifier's start")
        XCTAssertEqual(w2.seq, seq0 &+ 2, "the nested notifier and the guest_memfd invalidation each end one")
        XCTAssertEqual(w2.inProgress, 0)
        XCTAssertEqual(w2.mnActive, 0)
    }

    /// No private memory: KVM_SET_MEMORY_ATTRIBUTES(PRIVATE) fails; the mapping holds the file, so
    /// closing it is not the last put (no release); memory failure unmaps the user mapping first.
    func testInitSharedHasNoPrivateMemoryNoReleaseAndPoisonUnmaps() {
        let (v, w) = run("attr gfn=1 pages=1 private\nstep attr x16\ngmem-release\nstep gmem x16\n", shared())
        XCTAssertNil(v.violation)
        XCTAssertEqual(w.privateGfns, 0)
        XCTAssertFalse(w.gmemDying)
        let (v2, w2) = run("gpc activate gfn=1\nstep gpc0 x16\ngmem-error gfn=1\nstep gmem x2\nstep mm0 x16\nstep gmem x16\ngpc use\nstep gpc0 x16\n", shared())
        XCTAssertNil(v2.violation, v2.violation?.message ?? "")
        XCTAssertNotEqual(w2.gmemPoison & 2, 0)
        XCTAssertEqual(w2.host[1].pfn, 0, "try_to_unmap: the user PTE is gone; a refault gets VM_FAULT_HWPOISON")
        XCTAssertFalse(w2.gpc.valid, "the refresh fails: the poisoned folio cannot be faulted in")
    }

    /// Runs `text` on the plain baseline in the INIT_SHARED world; asserts no violation; returns
    /// the trace.
    func tracedOnPlainBaseline(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> TraceRecorder {
        var r = TraceRecorder()
        let v = sched(text).bytes.withUnsafeBytes { Checker.run($0, variant: .none, config: shared(fixes: .none), observer: &r) }
        XCTAssertNil(v.violation, v.violation?.message ?? "", file: file, line: line)
        return r
    }

    /// A punch hole of `pages` pages at gfn 1 runs up to its phase 2 (G0-G4, phase 1, the
    /// partial-folio lookups); then the cache, activated on gfn 1, faults its folio back in; then
    /// the punch hole goes on. Returns the schedule, its trace and the G5 steps' effects.
    func refaultAfterTheLookups(pages: Int) -> (String, TraceRecorder, [String]) {
        let text = """
            punch-hole gfn=1 pages=\(pages)
            step gmem x\(pages > 1 ? 8 : 7)
            gpc activate gfn=1
            step gpc0 x16
            step gmem x1
            step mm0 x16
            """
        let r = tracedOnPlainBaseline(text)
        return (text, r, r.entries.filter { $0.label == "G5" }.map(\.effect))
    }

    /// truncate_inode_pages_range() as the kernel has it: phase 2 restarts only when a lookup
    /// that began past the hole's start finds nothing. A folio faulted into a two-page hole's
    /// first page after the partial-folio lookups is found by phase 2 (index -> 2), unmapped and
    /// freed; the lookup from 2 finds nothing, so phase 2 restarts once (a retry) and ends on
    /// the empty lookup from the start.
    func testInitSharedTruncationRestartsOnlyWhenALookupPastTheStartFindsNothing() {
        let (text, r, effects) = refaultAfterTheLookups(pages: 2)
        XCTAssertEqual(effects.count, 6, effects.joined(separator: "\n"))
        guard effects.count == 6 else { return }
        XCTAssertTrue(effects[0].hasPrefix("phase 1"))
        XCTAssertEqual(effects[1], "__filemap_get_folio(1)")
        XCTAssertEqual(effects[2], "__filemap_get_folio(2)")
        XCTAssertTrue(effects[3].contains("unmap_mapping_folio of the user mapping hva [1,2) starts")
                      && effects[3].contains("phase 2: find_get_entries [1,3): index -> 2"), effects[3])
        XCTAssertEqual(effects[4], "phase 2: find_get_entries [2,3) finds nothing: restart from 1 (#1)")
        XCTAssertEqual(effects[5], "phase 2: find_get_entries [1,3) finds nothing from start: done")
        let (_, w) = run(text, shared(fixes: .none))
        XCTAssertEqual(w.gmemPfn[1], 0)
        XCTAssertEqual(w.host[1].pfn, 0)
    }

    /// A pass's user-mapping invalidation frees only the folios that pass found mapped: a folio
    /// faulted in inside the invalidation's span meanwhile (here by a fault through a plain slot
    /// aliasing the VMM's mapping) is not that pass's; phase 2 finds it and truncates it with an
    /// invalidation of its own.
    func testInitSharedTruncationFreesOnlyThePassesFolios() {
        let text = """
            create slot=2 gfn=12 pages=4 hva=0
            step memslot x16
            fault vcpu0 gfn=12 shared
            step vcpu0 x16
            fault vcpu1 gfn=14 shared
            step vcpu1 x16
            punch-hole gfn=0 pages=4
            step gmem x6
            step mm0 x1
            fault vcpu0 gfn=13 shared
            step vcpu0 x6
            step mm0 x16
            """
        let r = tracedOnPlainBaseline(text)
        let host = r.entries.filter { $0.label == "host" }.map(\.effect)
        XCTAssertEqual(host.count, 2, host.joined(separator: "\n"))
        guard host.count == 2 else { return }
        XCTAssertTrue(host[0].contains("gmem folio gfn 0 (pfn 4) truncated") && host[0].contains("gmem folio gfn 2 (pfn 5) truncated"), host[0])
        XCTAssertFalse(host[0].contains("gfn 1"), "folio 1 was faulted in after the pass looked: \(host[0])")
        XCTAssertTrue(host[1].contains("gmem folio gfn 1 (pfn 6) truncated"), host[1])
        XCTAssertTrue(r.entries.contains { $0.effect.contains("hva [1,2) starts") && $0.effect.contains("phase 2: find_get_entries [0,4): index -> 2") })
        let (_, w) = run(text, shared(fixes: .none))
        XCTAssertEqual(w.gmemPfn[0], 0)
        XCTAssertEqual(w.gmemPfn[2], 0)   // (gfn 13's fault retries after the punch hole and faults folio 1 in again)
    }

    /// A one-page hole never restarts: a pass that finds the hole's only page sets index to end
    /// (`while (index < end)` ends phase 2). Same schedule as above on a one-page hole.
    func testInitSharedOnePageHoleNeverRestarts() {
        let (_, r, effects) = refaultAfterTheLookups(pages: 1)
        XCTAssertEqual(effects.count, 4, effects.joined(separator: "\n"))
        guard effects.count == 4 else { return }
        XCTAssertTrue(effects[2].contains("phase 2: find_get_entries [1,2): index -> 2"), effects[2])
        XCTAssertEqual(effects[3], "index == end: done")
        XCTAssertFalse(r.entries.contains { $0.effect.contains("restart") })
    }

    /// Finding gmem-punch-hole-refault-livelock, corrected form: a two-page hole, the cache on its
    /// first page refreshing; on the plain baseline the punch hole and the refresh keep each other
    /// looping (phase 2 restarts for each refault), and with the candidate fix the refault waits.
    func testInitSharedPunchHoleRefaultLivelockAndItsFix() throws {
        let text = "gpc activate gfn=1\npunch-hole gfn=1 pages=2\ngpc use\n"
        let v = Checker.check(sched(text).bytes, config: shared(fixes: .none))
        XCTAssertEqual(v.violation?.invariant, .livelock, v.violation?.message ?? "no violation")
        XCTAssertEqual(Finding.classify(sched(text).bytes, config: shared(fixes: .none)), .gmemPunchHoleRefaultLivelock)
        XCTAssertNil(Checker.check(sched(text).bytes, config: shared()).violation)
        var o = ExploreOptions()
        o.config = shared()
        let r = Explorer.explore(Scenario(schedule: sched(text)), options: o)
        XCTAssertEqual(r.outcome, .complete, "the fix is proven over every interleaving")
        XCTAssertNil(r.violation)
    }

    /// The finding's first litmus, a one-page hole (corpus/findings/.../litmus.bin), livelocked
    /// only because the model's truncation restarted after every pass that unmapped a folio. With
    /// the kernel's restart rule its replay ends, and every interleaving of it is proven on the
    /// plain baseline (the checker drains round-robin from every state where every runnable actor
    /// retries: no liveness verdict).
    func testOnePageLitmusNoLongerLivelocks() throws {
        let url = repoRoot.appendingPathComponent("corpus/findings/gmem-punch-hole-refault-livelock/litmus.bin")
        let bytes = [UInt8](try Data(contentsOf: url))
        XCTAssertNil(Checker.check(bytes, config: shared(fixes: .none)).violation)
        var o = ExploreOptions()
        o.config = shared(fixes: .none)
        let r = Explorer.explore(Scenario(schedule: Schedule(bytes: bytes)), options: o)
        XCTAssertEqual(r.outcome, .complete)
        XCTAssertNil(r.violation)
        XCTAssertGreaterThan(r.stats.distinct, 500)
    }

    /// A punch hole or memory failure beyond the VMM's mapping (gfn >= 8): nothing to unmap. (The
    /// first INIT_SHARED fuzz campaign trapped here on an empty range, 2026-11-27.)
    func testInitSharedPunchHoleBeyondTheMappingTruncatesWithoutUnmapping() {
        let (v, w) = run("fault vcpu0 gfn=9 shared\nstep vcpu0 x16\npunch-hole gfn=9 pages=3\nstep gmem x16\ngmem-error gfn=12\nstep gmem x16\n", shared())
        XCTAssertNil(v.violation)
        XCTAssertEqual(w.actors[11].pc, .idle)
        XCTAssertEqual(w.actors[2].pc, .idle)
    }
}
