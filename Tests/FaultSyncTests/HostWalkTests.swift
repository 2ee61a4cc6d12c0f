import XCTest
@testable import FaultSync

/// Where the `host-walk-double-read` variant (B7, 44187235cbcc) puts its first read. In the
/// fault path, the host walk of host_pfn_mapping_level() (F10) and the install that uses its level
/// (F11) run under mmu_lock after F8 found no invalidation of the gfn since the snapshot. Every
/// host change of the fault's PMD (collapse, split, or a change of any page of a THP, which the
/// primary MMU widens to the whole block) is bracketed by an invalidation whose begin needs
/// mmu_lock for write. So from F10 to the end of F11 the PMD and the faulting PTE cannot change,
/// and two reads inside F10 would read the same value. The variant therefore takes its first read
/// where a change can slip in unnoticed: before the F6a snapshot. (The real bug was also the
/// walker's memory safety, a freed PTE table, which the model does not represent.) This test
/// checks the claim on the correct model over random and PCT schedules, so it fails if the model
/// ever opens such a window.
final class HostWalkTests: XCTestCase {
    struct WalkWindowObserver: StepObserver {
        var open = [false, false]
        var huge = [false, false]
        var version: [UInt32] = [0, 0]
        var broken: String?
        var walks = 0

        mutating func event(_ index: Int, _ e: Event, accepted: Bool, world: World) { check(world) }
        mutating func willStep(_ actor: Int, world: World) {}
        mutating func didStep(_ actor: Int, world: World) { check(world) }

        mutating func check(_ w: World) {
            for v in 0..<2 {
                let a = w.actors[v]
                let inWalk = (a.pc == .f10Adjust || a.pc == .f11Install) && !a.isPrivateFault && a.phase == 0
                let h = Int(a.hva)
                if inWalk && !open[v] {
                    open[v] = true
                    walks += 1
                    huge[v] = w.isHostHuge(hva: h)
                    version[v] = w.host[h].version
                } else if inWalk && broken == nil {
                    if w.isHostHuge(hva: h) != huge[v] || w.host[h].version != version[v] {
                        broken = "vcpu\(v): host PMD/PTE of hva \(h) changed during F10-F11"
                    }
                } else if !inWalk {
                    open[v] = false
                }
            }
        }
    }

    func testTheHostCannotChangeUnderTheFaultsHostWalk() {
        var r = SplitMix(state: 0xB7)
        var walks = 0
        for _ in 0..<60_000 {
            let b = randomBytes(&r, maxLen: ScheduleFormat.maxInputBytes)
            var o = WalkWindowObserver()
            var w = World()
            _ = b.withUnsafeBytes { Checker.execute($0, world: &w, observer: &o) }
            if let m = o.broken { XCTFail("\(m)\n\(Schedule(bytes: b).text)"); return }
            walks += o.walks
        }
        var p = PCTScheduler(seed: 0xB7)
        for _ in 0..<20_000 {
            let b = p.schedule(variant: .none).bytes
            var o = WalkWindowObserver()
            var w = World()
            _ = b.withUnsafeBytes { Checker.execute($0, world: &w, observer: &o) }
            if let m = o.broken { XCTFail("\(m)\n\(Schedule(bytes: b).text)"); return }
            walks += o.walks
        }
        XCTAssertGreaterThan(walks, 10_000, "the schedules reach the host walk often")
    }

    /// The check can fail: without the in-progress test of F8 (`no-in-progress-check`) a fault
    /// walks the host while an invalidation of its own page is between begin and end, and the
    /// observer sees the host change under the walk.
    func testTheWindowOpensWithoutTheInProgressCheck() {
        var r = SplitMix(state: 0xB7)
        var seen = false
        for _ in 0..<60_000 where !seen {
            let b = randomBytes(&r, maxLen: ScheduleFormat.maxInputBytes)
            var o = WalkWindowObserver()
            var w = World(config: .default, variant: .noInProgressCheck)
            _ = b.withUnsafeBytes { Checker.execute($0, world: &w, observer: &o) }
            seen = o.broken != nil
        }
        XCTAssertTrue(seen)
    }
}
