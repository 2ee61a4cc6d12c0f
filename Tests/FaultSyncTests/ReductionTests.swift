import XCTest
@testable import FaultSync

/// The checker's sleep-set reduction (docs/check.md, "Reduction"): the footprint table
/// (`Model/Footprint.swift`) claims only true independence, and the reduced search visits the
/// same states and reaches the same verdicts, at the same shortest lengths, as the unreduced one.
final class ReductionTests: XCTestCase {
    /// The searches both tests run: every menu scenario of 1..2 operations and a sample of the
    /// 3-operation ones on the correct model, and each variant's litmus operations under that
    /// variant. (`scripts/check-proofs` verifies every claim over all 4,494 menu scenarios of
    /// 1..3 operations, in a release build.)
    func cases() throws -> [(Scenario, Variant)] {
        var c: [(Scenario, Variant)] = ScenarioMenu.scenarios(upTo: 2).map { ($0, .none) }
        let three = ScenarioMenu.scenarios(upTo: 3).filter { $0.ops.count == 3 }
        for (k, s) in three.enumerated() where k % 131 == 0 { c.append((s, .none)) }
        for v in Variant.allCases where v != .none {
            let url = repoRoot.appendingPathComponent("corpus/regressions/\(v.name)/litmus.txt")
            c.append((Scenario(schedule: sched(try String(contentsOf: url, encoding: .utf8))), v))
        }
        return c
    }

    /// Options that explore past violations of the variant (a violating transition is pruned
    /// and the search goes on), so the whole state space of a variant's scenario is covered.
    func options(_ v: Variant) -> ExploreOptions {
        var o = ExploreOptions()
        o.variant = v
        o.maxStates = 2_000_000
        if v != .none {
            o.target = Invariant.allCases.first { !v.violates.contains($0) && !$0.isLiveness && $0 != .staleCommit }
        }
        return o
    }

    /// For every pair of transitions that the footprints call independent, in every state
    /// where a sleep set is computed, both orders are taken: same canonical state, same verdict,
    /// neither disables the other.
    func testFootprintsClaimOnlyTrueIndependence() throws {
        var checks = 0
        for (s, v) in try cases() {
            var o = options(v)
            o.verifyIndependence = true
            let r = Explorer.search(s, options: o)
            XCTAssertEqual(r.stats.independenceErrors, 0,
                           "\(v.name): [\(s.oneLine)]: \(r.stats.firstIndependenceError ?? "")")
            checks += r.stats.independenceChecks
        }
        XCTAssertGreaterThan(checks, 100_000, "too few independence claims checked to mean much")
    }

    /// Sleep sets prune transitions, not states: with and without reduction the same number of
    /// distinct states, the same outcome and invariant, the same shortest counterexample
    /// length, and never more transitions.
    func testReductionKeepsStatesVerdictsAndShortestLengths() throws {
        var slept = 0, on = 0, off = 0
        for (s, v) in try cases() {
            for target in [false, true] where target || v != .none {
                var o = options(v)
                if !target { o.target = nil }
                let r = Explorer.explore(s, options: o)
                o.reduce = false
                let u = Explorer.explore(s, options: o)
                let what = "\(v.name)\(target ? " (past violations)" : ""): [\(s.oneLine)]"
                XCTAssertEqual(r.outcome, u.outcome, what)
                XCTAssertEqual(r.violation?.invariant, u.violation?.invariant, what)
                XCTAssertEqual(r.counterexampleTransitions, u.counterexampleTransitions, what)
                if r.outcome == .complete { XCTAssertEqual(r.stats.distinct, u.stats.distinct, what) }
                XCTAssertLessThanOrEqual(r.stats.transitions, u.stats.transitions, what)
                slept += r.stats.slept
                on += r.stats.transitions
                off += u.stats.transitions
            }
        }
        XCTAssertGreaterThan(slept, 0)
        XCTAssertLessThan(Double(on), 0.9 * Double(off), "the reduction hardly prunes anything")
    }

    /// Two holes an independent review found (2026-11-27), each with the scenario that showed it:
    /// in `target` mode a transition pruned for violating another invariant was put to sleep,
    /// though the state oracles read more than the footprints (a later sibling could clear the
    /// condition); and `allocObj` could reuse the binding a guest_memfd invalidation iterates
    /// over (freed under it by variant gmem-unbind-without-invalidate-lock), which M1's footprint
    /// assumed impossible.
    func testReviewedHolesStayClosed() {
        var o = ExploreOptions()
        o.variant = .noInProgressCheck
        o.target = .kernelBug
        o.verifyIndependence = true
        let s1 = Scenario(schedule: sched("fault vcpu0 gfn=9 shared\nremap hva=17 pages=1\nnx-toggle"))
        let r1 = Explorer.search(s1, options: o)
        XCTAssertEqual(r1.stats.independenceErrors, 0, r1.stats.firstIndependenceError ?? "")
        XCTAssertGreaterThan(r1.stats.independenceChecks, 0)
        o.verifyIndependence = false
        o.reduce = false
        XCTAssertEqual(Explorer.search(s1, options: o).stats.distinct, r1.stats.distinct)

        var p = ExploreOptions()
        p.variant = .gmemUnbindWithoutInvalidateLock
        p.verifyIndependence = true
        let s2 = Scenario(schedule: sched("punch-hole gfn=0 pages=1\ndelete slot=0\ncreate slot=2 gfn=12 pages=4 hva=16"))
        let r2 = Explorer.search(s2, options: p)
        XCTAssertEqual(r2.stats.independenceErrors, 0, r2.stats.firstIndependenceError ?? "")
        XCTAssertGreaterThan(r2.stats.independenceChecks, 0)
    }

    /// Negative control: calling every pair independent is caught by the verifier, and it loses
    /// states (so the state-count comparison above can fail).
    func testBrokenIndependenceIsCaught() {
        let s = Scenario(schedule: sched("fault vcpu0 gfn=9 shared\nremap hva=17 pages=1\ndelete slot=1"))
        var o = ExploreOptions()
        o.assumeAllIndependent = true
        o.verifyIndependence = true
        let bad = Explorer.search(s, options: o)
        XCTAssertGreaterThan(bad.stats.independenceErrors, 0)
        o.verifyIndependence = false
        o.assumeAllIndependent = false
        let good = Explorer.search(s, options: o)
        XCTAssertEqual(good.outcome, .complete)
        XCTAssertLessThan(bad.stats.distinct, good.stats.distinct)
    }
}
