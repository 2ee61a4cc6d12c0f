import XCTest
@testable import FaultSync

/// Format v6 (2026-11-29, nineteenth session): the NX huge page recovery thread
/// (kvm_nx_huge_page_recovery_worker) runs on an actor of its own, `nxrec` (12), as in the kernel,
/// where it is a thread of its own beside any writer of the `nx_huge_pages` parameter. Until v6
/// its passes ran on the toggle's actor `nx` (7), so the two never overlapped (more forgiving
/// than the kernel).
final class NXRecoveryActorTests: XCTestCase {
    static let twoTables = """
        collapse block=0
        step mm0 x16
        fault vcpu0 gfn=2 shared exec
        step vcpu0 x16
        collapse block=1
        step mm0 x16
        fault vcpu1 gfn=6 shared exec
        step vcpu1 x16

        """

    /// A pass holds mmu_lock for read from Y1 to Y3: a toggle that starts meanwhile flips the
    /// parameter at once, takes slots_lock, and waits in kvm_mmu_zap_all_fast() for the write lock.
    func testARecoveryPassAndAToggleOverlap() {
        let (_, w0) = worldAtDrain(Self.twoTables)
        XCTAssertEqual(w0.nxCount, 2, "setup: two tracked tables")
        let started = Self.twoTables + "nx-recover\nstep nxrec x2\nnx-toggle\nstep nx x2\n"
        var (v, w) = worldAtDrain(started)
        XCTAssertTrue(w.actors[12].busy && w.actors[7].busy, "the toggle started while the pass runs (v5 refused it)")
        XCTAssertEqual(w.actors[12].kind, .nxrec)
        XCTAssertEqual(w.actors[12].pc, .y2Zap)
        XCTAssertEqual(w.actors[7].pc, .x1ZapAllFast, "X0 took slots_lock; X1 waits for the pass's read lock")
        XCTAssertFalse(w.runnable(7))
        XCTAssertFalse(w.nxHugePages, "the parameter flipped at the toggle's start")
        XCTAssertEqual(w.slotsLockHolder, 7)
        XCTAssertEqual(w.nxCount, 1, "the pass took block 0's table off the list")
        XCTAssertNil(v.violation)
        // The pass ends first (Y2, Y3); then kvm_mmu_zap_all_fast() runs.
        let (_, x) = worldAtDrain(started + "step nxrec x2\nstep nx x1\n")
        XCTAssertEqual(x.actors[12].pc, .idle)
        XCTAssertEqual(x.actors[7].pc, .r6Lock, "X1 ran after Y3's read_unlock")
        XCTAssertEqual(x.roots[0].state, .invalid)
        XCTAssertEqual(x.roots[0].hasPT & 1, 0, "Y2 zapped block 0's table")
    }

    /// A pass may start while the toggle's R6 zaps the root it invalidated (here the toggle turns
    /// the mitigation on, and an exec fault made its table before X1): it takes that table of
    /// the invalid root (still listed), R6 unlinks it before Y2, and Y2 zaps nothing
    /// (kvm_tdp_mmu_zap_possible_nx_huge_page(): the parent SPTE no longer points at it).
    static let passBesideR6 = """
        collapse block=0
        step mm0 x16
        nx-toggle                   # off -> on at once; the toggle has not taken slots_lock yet
        fault vcpu0 gfn=2 shared exec
        step vcpu0 x16              # reads nx_huge_pages on: 4K under a tracked table in r0
        step nx x3                  # X0; X1: r0 invalid; R6 read_lock
        nx-recover
        step nxrec x2               # Y0; Y1: r0's table off the list (unaccounted)
        step nx x3                  # R6: gfn 2's leaf; read_lock; the 2M pass unlinks the table

        """

    func testAPassTakesATableOfTheRootTheToggleIsZapping() {
        var off = WorldConfig()
        off.nxHugePages = false
        func run(_ text: String) -> (Verdict, World) {
            var w = World(config: off, variant: .none)
            var o = AtDrain()
            let v = sched(text).bytes.withUnsafeBytes { Checker.execute($0, world: &w, observer: &o) }
            return (v, o.world ?? w)
        }
        let (v0, a) = run(Self.passBesideR6)
        XCTAssertTrue(a.nxHugePages)
        XCTAssertEqual(a.roots[0].state, .invalid)
        XCTAssertEqual(a.actors[12].pc, .y2Zap, "the pass holds r0's table")
        XCTAssertEqual(a.nxWatch[2] & 0x80, 0, "R6 unlinked it meanwhile")
        XCTAssertEqual(a.roots[0].hasPT & 1, 0)
        XCTAssertEqual(a.nxCount, 0)
        XCTAssertNil(v0.violation)
        let (v, b) = run(Self.passBesideR6 + "step nxrec x2\nstep nx x16\n")
        XCTAssertEqual(b.actors[12].pc, .idle)
        XCTAssertEqual(b.actors[7].pc, .idle)
        XCTAssertEqual(b.nxPagesTDP, 0, "accounted once (Y1), untracked by neither twice")
        XCTAssertEqual(b.nxPagesShadow, 0)
        XCTAssertNil(v.violation)
    }

    /// `faultsync migrate --from 5`: steps of actor 7 that stepped a recovery pass move to actor
    /// 12; a start v5 refused because the other nx operation ran is dropped; a step of actor 12
    /// (no actor under v5) is dropped; everything else is kept.
    func testMigrationFromV5MovesTheRecoverySteps() {
        let v5 = sched(Self.twoTables + """
            nx-recover
            step nx x2
            nx-toggle
            step nx x2
            step actor12 x3
            step nx x2
            nx-toggle
            step nx x16
            nx-recover
            step nx x1
            """)
        let acts = FormatMigration.v5ToV6Actions(v5)
        // The second toggle (the pass runs) and the step of actor 12 are dropped; the last
        // nx-recover is kept: the toggle has finished by then, and v5 and v6 both refuse it
        // because the mitigation is off.
        XCTAssertEqual(Array(acts.suffix(10)),
                       [.keep, .toRecoveryActor, .drop, .toRecoveryActor, .drop, .keep, .keep, .keep, .keep, .keep])
        XCTAssertTrue(acts.prefix(8).allSatisfy { $0 == .keep })
        let v6 = FormatMigration.v5ToV6(v5)
        XCTAssertEqual(v6.events.suffix(8).map(\.text),
                       ["nx-recover", "step nxrec x2", "step nxrec x2", "step nx x2", "nx-toggle", "step nx x16", "nx-recover", "step nx x1"])
        // Under v6 the migrated schedule runs the pass to its end before the toggle, as v5 did;
        // the toggle then takes nx_huge_pages off.
        let (v, w) = world(v6.text)
        XCTAssertNil(v.violation)
        XCTAssertFalse(w.nxHugePages)
        XCTAssertEqual(w.nxPagesTDP, 0)
        XCTAssertTrue(v5.mayMeanOtherwise(since: 5))
        XCTAssertTrue(sched("nx-recover\nstep nx x2\n").looksWrittenBeforeV6)
        XCTAssertFalse(sched("nx-recover\nstep nx x2\nstep nxrec x2\n").looksWrittenBeforeV6)
        XCTAssertFalse(sched("nx-toggle\nstep nx x2\n").looksWrittenBeforeV6)
        XCTAssertEqual(Schedule.declaredVersion("# faultsync schedule v5\nnx-recover\n"), 5)
        XCTAssertNil(Schedule.declaredVersion("nx-recover\n"))
    }

    /// Every committed v5 schedule that starts a pass, migrated, replays under v6 with the verdict
    /// the v5 model gave it (violation and step, or the step count): `Tests/golden/v5-nx-golden.txt`,
    /// recorded with the v5 binary (7d83064) in the default world, on the plain baseline, and on
    /// the plain baseline without the zap-all quirk.
    func testMigratedV5SchedulesReplayAsUnderV5() throws {
        let golden = try String(contentsOf: repoRoot.appendingPathComponent("Tests/golden/v5-nx-golden.txt"), encoding: .utf8)
        var checked = 0, violations = 0
        for line in golden.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            XCTAssertEqual(f.count, 4, String(line))
            guard f.count == 4, let variant = Variant.named(f[1]) else { XCTFail("bad line: \(line)"); continue }
            var config = WorldConfig()
            if f[2].contains("--baseline") { config.fixes = .none }
            if f[2].contains("--no-slot-zap-all") { config.zapAllOnSlotChange = false }
            let text = try String(contentsOf: repoRoot.appendingPathComponent(f[0]), encoding: .utf8)
            let v6 = FormatMigration.v5ToV6(try Schedule(text: text), variant: variant, config: config)
            let v = Checker.check(v6.bytes, variant: variant, config: config)
            let got = v.violation.map { "\($0.invariant.name) \($0.step)" } ?? "ok \(v.steps)"
            XCTAssertEqual(got, f[3], "\(f[0]) \(f[2])")
            checked += 1
            if v.violation != nil { violations += 1 }
        }
        XCTAssertEqual(checked, 33)
        XCTAssertGreaterThan(violations, 15)
    }

    /// The drain steps actor 12 where v5 stepped the pass, right after actor 7.
    func testTheDrainTakesTheRecoveryRightAfterTheToggle() {
        XCTAssertEqual((0..<Cap.actors).map(Checker.drainActor), [0, 1, 2, 3, 4, 5, 6, 7, 12, 8, 9, 10, 11])
        XCTAssertEqual(Set((0..<Cap.actors).map(Checker.drainActor)).count, Cap.actors)
    }
}
