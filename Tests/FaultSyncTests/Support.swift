import XCTest
@testable import FaultSync

/// Parse a text schedule (test helper: fails the test on a parse error).
func sched(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Schedule {
    do { return try Schedule(text: text) } catch {
        XCTFail("parse error: \(error)", file: file, line: line)
        return Schedule(events: [])
    }
}

func verdict(_ text: String, _ v: Variant = .none) -> Verdict {
    Checker.check(sched(text).bytes, variant: v)
}

func world(_ text: String, _ v: Variant = .none) -> (Verdict, World) {
    Checker.finalWorld(sched(text).bytes, variant: v)
}

/// Keeps the world as the schedule's last event left it, before the drain.
struct AtDrain: StepObserver {
    var world: World? = nil
    mutating func event(_ index: Int, _ e: Event, accepted: Bool, world: World) {}
    mutating func willStep(_ actor: Int, world: World) {}
    mutating func didStep(_ actor: Int, world: World) {}
    mutating func drainStarts(world: World) { self.world = world }
}

/// The world after the schedule's events, before the drain (the verdict is the whole run's).
func worldAtDrain(_ text: String, _ v: Variant = .none, config: WorldConfig = .default) -> (Verdict, World) {
    var w = World(config: config, variant: v)
    var o = AtDrain()
    let verdict = sched(text).bytes.withUnsafeBytes { Checker.execute($0, world: &w, observer: &o) }
    return (verdict, o.world ?? w)
}

/// The steps actor `actor` took, whether mmu_lock was held (by anyone) after each, and the
/// invalidation state ("in_progress seq") after each.
struct ActorSteps: StepObserver {
    let actor: Int
    var pcs: [PC] = []
    var lockedAt: [Bool] = []
    var invAt: [String] = []
    mutating func event(_ index: Int, _ e: Event, accepted: Bool, world: World) {}
    mutating func willStep(_ a: Int, world: World) {
        guard a == actor else { return }
        pcs.append(world.actors[a].pc)
    }
    mutating func didStep(_ a: Int, world: World) {
        guard a == actor else { return }
        lockedAt.append(world.mmuReaders != 0 || world.mmuWriter != none8)
        invAt.append("\(world.inProgress) \(world.seq)")
    }
}

/// Run a text schedule in world `c` under `v`, observing actor `actor`'s steps.
func runObserving(_ text: String, _ c: WorldConfig, _ v: Variant = .none, actor: Int) -> (Verdict, World, ActorSteps) {
    var w = World(config: c, variant: v)
    var o = ActorSteps(actor: actor)
    let verdict = sched(text).bytes.withUnsafeBytes { Checker.execute($0, world: &w, observer: &o) }
    return (verdict, w, o)
}

/// The repository root (for corpus/).
let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
