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
        XCTAssertEqual(w.actors[0].root, w.rootGen)
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
        XCTAssertEqual(w.rootGen, 1)
        XCTAssertFalse(w.leaf[1].present || w.leaf[9].present)
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

    func testUnmapWithoutInvalidationOrSlotsLockTripsLockdep() {
        var w = World()
        w.writeLock(2)
        w.unmapGfnRange(2, 0, 4)
        XCTAssertEqual(w.violation?.why, .lockdepUnmapUnprotected)
        var ok = World()
        ok.slotsLockHolder = 4
        ok.writeLock(4)
        ok.unmapGfnRange(4, 0, 4)           // kvm_mmu_zap_memslot(): slots_lock held
        XCTAssertNil(ok.violation)
    }

    func testPresentLeafPfnChangeIsABug() {
        var w = World()
        w.leaf[1] = SPTE(present: true, isPrivate: false, pfn: 7, hva: 1, incarnation: w.objs[0].incarnation)
        w.host[1].pfn = 9
        w.actors[0].slotObj = 0
        w.actors[0].pfn = 9
        w.actors[0].hva = 1
        w.installFault(0, gfn: 1)
        XCTAssertEqual(w.violation?.invariant, .kernelBug)
        XCTAssertEqual(w.violation?.why, .bugLeafPfnChange)
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
        XCTAssertTrue(KernelBaseline.description.hasPrefix("torvalds/linux @ "))
        XCTAssertEqual(FixSet.all.rawValue.nonzeroBitCount, Finding.allCases.count)
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
            for b in bins {
                let bytes = [UInt8](try Data(contentsOf: b))
                XCTAssertNotNil(Checker.check(bytes, config: baseline).violation, "\(b.lastPathComponent) does not reproduce")
                XCTAssertEqual(Finding.classify(bytes, config: baseline), f, b.lastPathComponent)
                XCTAssertNil(Checker.check(bytes).violation, "\(b.lastPathComponent) fails with the fix")
                let twin = b.deletingPathExtension().appendingPathExtension("txt")
                XCTAssertEqual(try Schedule(text: String(contentsOf: twin, encoding: .utf8)), Schedule(bytes: bytes))
            }
        }
    }
}
