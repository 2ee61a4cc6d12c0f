import XCTest
@testable import FaultSync

/// R6 (`World.zapInvalidatedRootsStep`) keeps no walk position: it zaps the first present 4K leaf
/// of the invalidated root, then the first 2M entry, because nothing adds an SPTE or a page
/// table to an invalid root (a fault would be the `installObsoleteRoot` oracle; the eager split
/// and the huge page recovery hold slots_lock, as R6's callers do). This checks that claim step
/// by step over random schedules of the operations that install SPTEs, zap them and invalidate
/// roots, in both memslot worlds.
final class InvalidRootTests: XCTestCase {
    /// Records every step after which a root that was invalid before it (and still is) has an
    /// SPTE, huge SPTE or page table it did not have.
    struct ShrinkProbe: StepObserver {
        var before: World? = nil
        var grew: [String] = []
        var invalidWithSptes = 0
        mutating func event(_ index: Int, _ e: Event, accepted: Bool, world: World) {}
        mutating func willStep(_ actor: Int, world: World) { before = world }
        mutating func didStep(_ actor: Int, world: World) {
            guard let b = before else { return }
            for r in 0..<Cap.roots where b.roots[r].state == .invalid && world.roots[r].state == .invalid {
                let x = b.roots[r], y = world.roots[r]
                if !x.isEmpty { invalidWithSptes += 1 }
                var added: [String] = []
                for g in 0..<Cap.gfns where y.leaf[g].present && !x.leaf[g].present { added.append("leaf \(g)") }
                for k in 0..<Cap.blocks where y.huge[k].present && !x.huge[k].present { added.append("huge \(k)") }
                if y.hasPT & ~x.hasPT != 0 { added.append("page table(s) \(y.hasPT & ~x.hasPT)") }
                if !added.isEmpty {
                    grew.append("actor \(actor) at \(b.actors[actor].pc): root \(r) gained " + added.joined(separator: ", "))
                }
            }
        }
    }

    static let menu = [
        "fault vcpu0 gfn=1 shared", "fault vcpu0 gfn=2 shared exec", "fault vcpu1 gfn=5 shared",
        "fault vcpu1 gfn=6 shared exec", "fault vcpu0 gfn=9 shared", "fault vcpu1 gfn=13 shared",
        "fault vcpu1 gfn=3 shared prefault", "collapse block=0", "collapse block=1", "unmap hva=1 pages=2",
        "unmap hva=4 pages=4", "nx-toggle", "nx-recover", "delete slot=1", "move slot=1 gfn=12",
        "flags slot=0 dirty-log=on", "flags slot=0 dirty-log=off", "recover slot=0", "attr gfn=4 pages=4 private",
    ]

    /// Random schedules: operations from the menu in a random order with runs of steps of random
    /// actors between them (the drain finishes the rest).
    func schedules(_ n: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed)
        let actors = ["vcpu0", "vcpu1", "mm0", "mm1", "memslot", "attr", "recover", "nx", "nxrec"]
        return (0..<n).map { _ in
            var lines: [String] = []
            for _ in 0..<(4 + Int(rng.next() % 7)) {
                lines.append(Self.menu[Int(rng.next() % UInt64(Self.menu.count))])
                for _ in 0..<Int(rng.next() % 3) {
                    lines.append("step \(actors[Int(rng.next() % UInt64(actors.count))]) x\(1 + rng.next() % 8)")
                }
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    func probe(_ texts: [String], _ v: Variant, config: WorldConfig) -> ShrinkProbe {
        var o = ShrinkProbe()
        for t in texts {
            _ = sched(t).bytes.withUnsafeBytes { Checker.run($0, variant: v, config: config, observer: &o) }
            if !o.grew.isEmpty { o.grew[o.grew.count - 1] += "\nin:\n" + t; break }
        }
        return o
    }

    func testNothingAddsAnSpteToAnInvalidRoot() {
        var noZapAll = WorldConfig.default
        noZapAll.zapAllOnSlotChange = false
        for (config, seed) in [(WorldConfig.default, UInt64(1)), (noZapAll, UInt64(2))] {
            let o = probe(schedules(4000, seed: seed), .none, config: config)
            XCTAssertEqual(o.grew, [], "an invalid root grew")
            // The schedules do reach invalid roots that still hold SPTEs (what R6 walks).
            XCTAssertGreaterThan(o.invalidWithSptes, 2000, "too few steps with a non-empty invalid root")
        }
    }

    /// Negative control: without F8's obsolete-root test (variant no-obsolete-root-check, B5) a
    /// fault installs into an invalid root, and the probe sees it.
    func testTheProbeSeesAFaultOnAnInvalidRoot() {
        let o = probe(schedules(1500, seed: 1), .noObsoleteRootCheck, config: .default)
        XCTAssertFalse(o.grew.isEmpty, "the probe missed a fault installing into an invalid root")
    }
}
