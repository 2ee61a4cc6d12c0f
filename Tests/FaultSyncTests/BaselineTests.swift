import XCTest
@testable import FaultSync

/// The plain baseline kernel, its known findings and their candidate fixes; KVM_PRE_FAULT_MEMORY
/// as the kernel runs it; the nx_huge_pages toggle; signals; the kernel's own BUG/WARN/lockdep
/// checks; liveness verdicts; trace folding.
final class BaselineTests: XCTestCase {
    let baseline: WorldConfig = { var c = WorldConfig(); c.fixes = .none; return c }()

    func check(_ text: String, _ config: WorldConfig, _ v: Variant = .none) -> Verdict {
        Checker.check(sched(text).bytes, variant: v, config: config)
    }

    static let spinByNxToggle = """
        fault vcpu0 gfn=1 shared prefault
        step vcpu0 x3          # F0 srcu_read_lock, P0 kvm_mmu_reload (current root), F1
        nx-toggle
        step nx x3             # kvm_mmu_zap_all_fast() while the prefault is in kvm_tdp_map_page()
        """

    func testPrefaultSpinsOnTheBaselineWhenNxToggleInvalidatesItsRoot() {
        let v = check(Self.spinByNxToggle, baseline)
        XCTAssertEqual(v.violation?.invariant, .hangUntilSignal, v.violation?.message ?? "no violation")
        XCTAssertEqual(v.violation?.why, .spinsUntilSignal)
        XCTAssertEqual(v.violation?.b, -1, "nobody else waits: only the prefault ioctl hangs")
        XCTAssertEqual(Finding.classify(sched(Self.spinByNxToggle).bytes, config: baseline), .prefaultObsoleteRootSpin)
        XCTAssertNil(check(Self.spinByNxToggle, .default).violation, "the candidate fix removes it")
    }

    /// Two findings in one input: the NX count is already wrong (nx-recovery-unaccount-wrong-mmu-type)
    /// when the prefault starts to spin. The signal test of the liveness verdict asks only that
    /// the signal ends the hang cleanly, not that the earlier bookkeeping is right: still
    /// hang-until-signal, and the input is the prefault finding's (a 60 s baseline campaign
    /// reported such an input as a new "deadlock" before this was so).
    func testAWrongNxCountDoesNotTurnTheSignalEndedSpinIntoADeadlock() {
        let text = """
            collapse block=4
            step mm0 x16
            fault vcpu0 gfn=8 shared exec
            step vcpu0 x16
            nx-recover
            step nxrec x4
            """ + "\n" + Self.spinByNxToggle
        let v = check(text, baseline)
        XCTAssertEqual(v.violation?.invariant, .hangUntilSignal, v.violation?.message ?? "no violation")
        XCTAssertEqual(Finding.classify(sched(text).bytes, config: baseline), .prefaultObsoleteRootSpin)
        var onlySpinFixed = baseline
        onlySpinFixed.fixes = .init([Finding.prefaultObsoleteRootSpin.fixFlag])
        XCTAssertEqual(check(text, onlySpinFixed).violation?.why, .nxPagesMismatch, "the count is still wrong at the end")
        XCTAssertNil(check(text, .default).violation)
    }

    func testPrefaultSpinAlsoStallsAMemslotDeleteOfAnotherSlot() {
        let text = """
            fault vcpu0 gfn=0 shared prefault
            delete slot=1
            step memslot x4
            """
        let v = check(text, baseline)
        XCTAssertEqual(v.violation?.invariant, .hangUntilSignal)
        XCTAssertEqual(v.violation?.b, 4, "the memslot ioctl waits for the prefault in synchronize_srcu")
        XCTAssertNil(check(text, .default).violation)
    }

    func testASignalEndsTheSpinWithEINTR() {
        let (v, w) = Checker.finalWorld(sched(Self.spinByNxToggle + "\nstep vcpu0 x16\nsignal vcpu0\n").bytes,
                                        config: baseline)
        XCTAssertNil(v.violation, v.violation?.message ?? "")
        XCTAssertEqual(w.actors[0].pc, .idle)
        XCTAssertEqual(w.actors[0].srcuStart, 0, "left SRCU on the way out")
        XCTAssertFalse(w.leaf[1].present, "nothing was mapped")
    }

    func testASignalToAnIdleVcpuIsIgnored() {
        var r = TraceRecorder()
        _ = sched("signal vcpu1\n").bytes.withUnsafeBytes { Checker.run($0, variant: .none, config: .default, observer: &r) }
        XCTAssertEqual(r.entries.first?.effect, "ignored: vcpu1 is not in an ioctl")
    }

    func testKvmRunReloadsTheRootAfterAnNxToggle() {
        let (v, w) = world("""
            fault vcpu0 gfn=1 shared
            step vcpu0 x3
            nx-toggle
            step nx x3
            """)
        XCTAssertNil(v.violation)
        XCTAssertTrue(w.leaf[1].present, "the retry (vcpu_enter_guest) loaded the new root and mapped")
        XCTAssertGreaterThan(w.actors[0].retries, 0)
        XCTAssertEqual(Int(w.actors[0].root), w.validRoot)
    }

    func testNxToggleZapsEverythingUnderSlotsLockWithoutSrcu() {
        let (v, w) = world("""
            fault vcpu0 gfn=1 shared
            fault vcpu1 gfn=9 shared
            step vcpu0 x16
            step vcpu1 x16
            nx-toggle
            step nx x2
            """)
        XCTAssertNil(v.violation)
        XCTAssertEqual(w.validRoot, -1, "the only root was invalidated; no vCPU has loaded a new one")
        for r in 0..<Cap.roots { XCTAssertTrue(w.roots[r].isEmpty, "r\(r) zapped by kvm_tdp_mmu_zap_invalidated_roots") }
        XCTAssertEqual(w.roots[0].state, .invalid, "still referenced by the vCPUs that loaded it")
        XCTAssertEqual(w.roots[0].refs, 2)
        XCTAssertEqual(w.slotsLockHolder, none8)
    }

    /// A KVM_RUN fault that retries forever is not ended by a signal (the guest faults again
    /// after re-entry): still a livelock, not hang-until-signal.
    func testKvmRunLivelockIsNotHangUntilSignal() {
        let text = VariantLitmusTests.litmus.first { $0.0 == .seqSnapshotInt32 }!.1
        XCTAssertTrue(sched(text).events.contains { $0.kind == .fault && !$0.f2 })
        XCTAssertFalse(sched(text).events.contains { $0.kind == .fault && $0.f2 }, "KVM_RUN faults only")
        XCTAssertEqual(check(text, .default, .seqSnapshotInt32).violation?.invariant, .livelock)
    }

    func testLivenessTraceFoldsTheRetryCycle() {
        let text = Report.text(for: sched(Self.spinByNxToggle).bytes, variant: .none, config: baseline,
                               file: "x", maxSteps: nil)
        let lines = text.split(separator: "\n")
        XCTAssertLessThan(lines.count, 60, "the ~1,500-step retry loop is folded")
        XCTAssertTrue(text.contains("repeat the 8-line cycle above"), text)
        XCTAssertTrue(text.contains("--baseline"), "the replay command names the configuration")
    }

    func testFoldKeepsShortTracesWhole() {
        let e = (1...10).map { TraceEntry(step: $0, event: 0, actor: 0, label: "F1", what: "x", effect: "y") }
        XCTAssertEqual(Report.fold(e).count, 10)
        let long = (1...40).map { TraceEntry(step: $0, event: 0, actor: 0, label: $0 % 2 == 0 ? "F7" : "F8", what: "x", effect: "stale (#\($0))") }
        let f = Report.fold(long)
        XCTAssertLessThan(f.count, 10)
        XCTAssertTrue(f.contains { $0.actor == Report.foldMarker })
    }

    // MARK: the kernel's own checks as oracles (negative controls: each one can fire)

    func testInvalidateEndWithoutRangeWarns() {
        var w = World()
        w.writeLock(2)
        w.invalidateBegin(2)
        w.invalidateEnd(2)
        XCTAssertEqual(w.violation?.invariant, .kernelWarn)
        XCTAssertEqual(w.violation?.why, .warnEndWithoutRange)
    }

    /// kvm_mmu_invalidate_range_add()'s WARN_ON_ONCE(!kvm->mmu_invalidate_in_progress) (added to
    /// the model on 2026-11-29, nineteenth session, after a review of kvm_main.c): a range added
    /// with no invalidation begun warns; after a begin it does not.
    func testRangeAddOutsideAnInvalidationWarns() {
        var w = World()
        w.writeLock(2)
        w.invalidateRangeAdd(2, 0, 4)
        XCTAssertEqual(w.violation?.invariant, .kernelWarn)
        XCTAssertEqual(w.violation?.why, .warnRangeAddOutsideInvalidation)
        var ok = World()
        ok.writeLock(2)
        ok.invalidateBegin(2)
        ok.invalidateRangeAdd(2, 0, 4)
        XCTAssertNil(ok.violation)
    }

    /// kvm_mmu_notifier_invalidate_range_end()'s WARN_ON_ONCE(!kvm->mn_active_invalidate_count),
    /// which then skips the decrement: an end whose start raised no count warns.
    func testRangeEndWithoutACountWarns() {
        var (_, w) = worldAtDrain("unmap hva=1 pages=1\n")
        while w.actors[2].pc != .n6Uncount && w.actors[2].pc != .idle { w.step(2); w.checkStep() }
        XCTAssertEqual(w.actors[2].pc, .n6Uncount)
        XCTAssertEqual(w.mnActive, 1)
        var ok = w
        ok.step(2); ok.checkStep()
        XCTAssertNil(ok.violation)
        XCTAssertEqual(ok.mnActive, 0)
        w.mnActive = 0                       // as if range_start had not raised it
        w.step(2)
        XCTAssertEqual(w.violation?.why, .warnMnCountUnderflow)
        XCTAssertEqual(w.mnActive, 0, "the decrement is skipped")
    }

    /// kvm_unmap_gfn_range()'s lockdep assertion, on the zap walk every caller runs (`zapStep`).
    func testUnmapWithoutInvalidationOrSlotsLockTripsLockdep() {
        var w = World()
        w.writeLock(2)
        w.beginZap(2, 0, 4)
        _ = w.zapStep(2, filter: AttrFilter.both)
        XCTAssertEqual(w.violation?.why, .lockdepUnmapUnprotected)
        var ok = World()
        ok.slotsLockHolder = 4
        ok.writeLock(4)
        ok.beginZap(4, 0, 4)                // kvm_mmu_zap_memslot(): slots_lock held
        _ = ok.zapStep(4, filter: AttrFilter.both)
        XCTAssertNil(ok.violation)
    }

    func testFaultOverAPresentLeafWithAnotherPfnWarnsAndIsSpurious() {
        var w = World()
        XCTAssertNotEqual(w.loadRoot(0), none8)
        w.roots[0].leaf[1] = SPTE(present: true, isPrivate: false, pfn: 7, hva: 1, incarnation: w.objs[0].incarnation)
        w.host[1].pfn = 9
        w.actors[0].slotObj = 0
        w.actors[0].pfn = 9
        w.actors[0].hva = 1
        w.installFault(0, gfn: 1)
        XCTAssertEqual(w.violation?.invariant, .kernelWarn)
        XCTAssertEqual(w.violation?.why, .warnSpuriousPfnMismatch)
        XCTAssertEqual(w.roots[0].leaf[1].pfn, 7, "RET_PF_SPURIOUS: the SPTE is not replaced")
    }

    // MARK: TDP MMU roots

    /// kvm_mmu_zap_all_fast(): R1-R5 under the write lock, then R6 zaps the invalid root under the
    /// read lock, step by step, while a fault on the new root runs concurrently.
    func testInvalidRootIsZappedUnderTheReadLockConcurrentlyWithFaultsOnTheNewRoot() {
        let (v, w) = world("""
            fault vcpu0 gfn=1 shared
            fault vcpu1 gfn=5 shared
            step vcpu0 x16
            step vcpu1 x16
            nx-toggle
            step nx x2             # X0, X1: root r0 invalid, reload requested
            fault vcpu0 gfn=2 shared
            step vcpu0 x2          # F0, F1: vcpu0 puts r0 and loads the new root r1
            step nx x1             # R6 read_lock
            step vcpu0 x5          # F6a..F7: the fault takes mmu_lock for read alongside the zapper
            """)
        XCTAssertNil(v.violation, v.violation?.message ?? "")
        XCTAssertEqual(w.validRoot, 1)
        XCTAssertTrue(w.roots[1].leaf[2].present, "mapped into the new root")
        XCTAssertEqual(w.roots[0].state, .invalid)
        XCTAssertTrue(w.roots[0].isEmpty, "zapped before kvm_mmu_zap_all_fast() returned")
        XCTAssertEqual(w.roots[0].refs, 1, "vcpu1 still holds r0 until it reloads")
    }

    func testNotifierZapsReachInvalidRoots() {
        let (v, w) = world("""
            fault vcpu0 gfn=1 shared
            step vcpu0 x16
            nx-toggle
            step nx x2             # r0 invalid, its SPTEs not yet zapped
            remap hva=1 pages=1
            step mm0 x4            # N1, N3 walk, begin, range_add
            step mm0 x1            # N3e kvm_unmap_gfn_range on every root, invalid ones too
            """)
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.roots[0].leaf[1].present)
    }

    /// Variant zap-invalidated-roots-at-last-put: the invalid root vcpu1 still holds keeps
    /// SPTEs of the deleted slot after the delete returns.
    func testZapAtLastPutLeavesSptesOfADeletedSlot() {
        let text = VariantLitmusTests.litmus.first { $0.0 == .zapInvalidatedRootsAtLastPut }!.1
        let (v, w) = world(text, .zapInvalidatedRootsAtLastPut)
        XCTAssertEqual(v.violation?.invariant, .spteSurvivesDelete)
        XCTAssertEqual(w.roots[0].state, .invalid)
    }

    func testHugeLeafIsSplitNotZappedToMapBelowIt() {
        var w = World()
        XCTAssertNotEqual(w.loadRoot(0), none8)
        for i in 0..<4 { w.host[i].pfn = 8 + UInt16(i) }
        w.hostHuge = 1
        w.roots[0].huge[0] = SPTE(present: true, isPrivate: false, pfn: 8, hva: 0, incarnation: w.objs[0].incarnation)
        w.actors[0].slotObj = 0; w.actors[0].pfn = 10; w.actors[0].hva = 2; w.actors[0].level = 0
        w.actors[0].hostVersion = w.host[2].version
        w.installFault(0, gfn: 2)
        XCTAssertNil(w.violation, w.violation?.message ?? "")
        XCTAssertFalse(w.roots[0].huge[0].present)
        XCTAssertEqual((0..<4).map { w.roots[0].leaf[$0].pfn }, [8, 9, 10, 11], "tdp_mmu_split_huge_page children")
    }

    // MARK: APICv inhibit -> kvm_zap_gfn_range()

    func testApicAccessPageIsMappedWhileApicvIsActiveAndZappedOnInhibit() {
        let (v1, w1) = world("fault vcpu0 gfn=apic shared\n")
        XCTAssertNil(v1.violation)
        XCTAssertTrue(w1.leaf[w1.apicGfn].present)
        let (v2, w2) = world("fault vcpu0 gfn=apic shared\nstep vcpu0 x16\napicv inhibit\nstep apicv x2\n")
        XCTAssertNil(v2.violation)
        XCTAssertFalse(w2.leaf[w2.apicGfn].present, "kvm_zap_gfn_range zapped it")
        XCTAssertTrue(w2.apicvInhibited)
        XCTAssertEqual(w2.seq, WorldConfig.default.initialSeq + 1, "begin/end around the zap bumped mmu_invalidate_seq")
    }

    func testFaultOnTheApicPageWhileInhibitedIsEmulated() {
        let (v, w) = world("apicv inhibit\nstep apicv x3\nfault vcpu0 gfn=apic shared\n")
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.leaf[w.apicGfn].present, "RET_PF_EMULATE: no mapping")
        let (v2, w2) = world("apicv inhibit\nstep apicv x3\napicv activate\nstep apicv x1\nfault vcpu0 gfn=apic shared\n")
        XCTAssertNil(v2.violation)
        XCTAssertTrue(w2.leaf[w2.apicGfn].present, "mapped again once APICv is active")
    }

    func testApicOracleFiresOnAStaleApicMapping() {
        var w = World()
        XCTAssertNotEqual(w.loadRoot(0), none8)
        w.host[w.hvaCount].pfn = 9
        w.roots[0].leaf[w.apicGfn] = SPTE(present: true, isPrivate: false, pfn: 9, hva: UInt8(w.hvaCount), incarnation: 0xFF)
        w.apicvInhibited = true
        w.apicZapPending = true
        w.checkSptesAgreeWithHost()
        XCTAssertNil(w.violation, "the zap has not run yet")
        w.apicZapPending = false
        w.checkSptesAgreeWithHost()
        XCTAssertEqual(w.violation?.why, .apicMappedWhileInhibited)
    }

    func testRetryGfnRetriesWhenTheRangeIsUnset() {
        var w = World()
        w.inProgress = 1
        XCTAssertTrue(w.retryGfn(w.seq, 3), "WARN_ON_ONCE(range unset) -> return 1")
        w.rangeStart = 8; w.rangeEnd = 12
        XCTAssertFalse(w.retryGfn(w.seq, 3))
        XCTAssertTrue(w.retryGfn(w.seq, 9))
    }

    func testBaselineIsNamed() {
        XCTAssertFalse(KernelBaseline.commit.isEmpty)
        XCTAssertTrue(KernelBaseline.description.hasPrefix("linux-next @ 1c60d04aac53"))
        XCTAssertEqual(FixSet.all.rawValue.nonzeroBitCount, Finding.allCases.count)
        XCTAssertLessThanOrEqual(Finding.allCases.count, FixSet.RawValue.bitWidth, "FixSet has a bit per finding")
    }

    /// corpus/findings/<name>/: every reproducer violates on the plain baseline, is classified
    /// as that finding, and passes on the correct configuration (baseline + fixes).
    func testFindingReproducersReproduceOnThePlainBaseline() throws {
        for f in Finding.allCases {
            let dir = repoRoot.appendingPathComponent("corpus/findings/\(f.name)")
            let bins = ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [])
                .filter { $0.pathExtension == "bin" }
            XCTAssertFalse(bins.isEmpty, "no reproducer for finding \(f.name)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: repoRoot.appendingPathComponent(f.doc).path), "no \(f.doc)")
            let plain0 = f.world
            // Append-only: a reproducer that stopped reproducing after a model change stays, named
            // in NOTE.md beside it.
            let note = (try? String(contentsOf: dir.appendingPathComponent("NOTE.md"), encoding: .utf8)) ?? ""
            var live = 0
            for b in bins {
                let bytes = [UInt8](try Data(contentsOf: b))
                // A reproducer whose text twin says `# world: FLAGS` runs in that world instead
                // (`default`: the default world); scripts/check-proofs reads the same line.
                let twinText = (try? String(contentsOf: b.deletingPathExtension().appendingPathExtension("txt"), encoding: .utf8)) ?? ""
                let (plain, fixed) = Self.worlds(plain0, twinText)
                if note.contains("`\(b.lastPathComponent)` no longer violates") {
                    XCTAssertNil(Checker.check(bytes, config: plain).violation, "\(b.lastPathComponent) violates again: drop it from NOTE.md")
                    continue
                }
                // A reproducer whose first violation a model change made another finding's.
                if let other = Finding.allCases.first(where: { note.contains("`\(b.lastPathComponent)` is now classified as \($0.name) ") }) {
                    XCTAssertNotEqual(other, f)
                    XCTAssertEqual(Finding.classify(bytes, config: plain), other, "\(b.lastPathComponent): NOTE.md names \(other.name)")
                    XCTAssertNil(Checker.check(bytes, config: fixed).violation, "\(b.lastPathComponent) fails with the fixes")
                    let twin = b.deletingPathExtension().appendingPathExtension("txt")
                    XCTAssertEqual(try Schedule(text: String(contentsOf: twin, encoding: .utf8)), Schedule(bytes: bytes))
                    continue
                }
                live += 1
                XCTAssertNotNil(Checker.check(bytes, config: plain).violation, "\(b.lastPathComponent) does not reproduce (explain it in NOTE.md beside it)")
                XCTAssertEqual(Finding.classify(bytes, config: plain), f, b.lastPathComponent)
                // The fuzz target's fast path names the same finding, or leaves it to classify().
                if let q = Finding.quickClassify(Checker.check(bytes, config: plain).violation!, config: plain) {
                    XCTAssertEqual(q, f, "quickClassify: \(b.lastPathComponent)")
                }
                XCTAssertEqual(f.atQuiescenceOnly, Checker.check(bytes, config: plain).violation!.why == .nxPagesMismatch)
                XCTAssertNil(Checker.check(bytes, config: fixed).violation, "\(b.lastPathComponent) fails with the fix")
                let twin = b.deletingPathExtension().appendingPathExtension("txt")
                XCTAssertEqual(try Schedule(text: String(contentsOf: twin, encoding: .utf8)), Schedule(bytes: bytes))
            }
            XCTAssertGreaterThan(live, 0, "no reproducer of \(f.name) still reproduces")
        }
    }

    /// The worlds (plain baseline, with every fix) of a finding reproducer: its finding's world,
    /// or the one its text twin's `# world:` line names.
    static func worlds(_ base: WorldConfig, _ text: String) -> (WorldConfig, WorldConfig) {
        var plain = base
        if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("# world:") }) {
            plain = WorldConfig()
            plain.fixes = .none
            for flag in line.dropFirst("# world:".count).split(separator: " ") {
                switch flag {
                case "default": break
                case "--no-slot-zap-all": plain.zapAllOnSlotChange = false
                case "--gmem-mmap": plain.gmemMmap = true
                case "--mirror-tdp": plain.mirrorTDP = true
                case "--gmem-init-shared": plain.gmemMmap = true; plain.gmemInitShared = true
                case "--no-ad-bits": plain.adBits = false
                default: XCTFail("unknown world flag \(flag) in a reproducer's # world: line")
                }
            }
        }
        var fixed = plain
        fixed.fixes = .all
        return (plain, fixed)
    }

    /// One table row per program counter (label, kernel function, kernel file).
    func testEveryProgramCounterHasOneTableRow() {
        XCTAssertEqual(PC.table.count, PC.allCases.count)
        for pc in PC.allCases {
            XCTAssertNotEqual(pc.label, "?", "\(pc)")
            XCTAssertFalse(pc.kernelName.isEmpty || pc.kernelName == "?", "\(pc)")
            XCTAssertTrue(pc == .idle || pc.kernelFile.hasPrefix("arch/") || pc.kernelFile.hasPrefix("virt/")
                          || pc.kernelFile.hasPrefix("include/") || pc.kernelFile.hasPrefix("mm/"), "\(pc): \(pc.kernelFile)")
        }
    }
}
