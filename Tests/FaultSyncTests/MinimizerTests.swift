import XCTest
@testable import FaultSync

/// The minimizer keeps the same invariant violated, never grows a schedule, and shrinks the
/// padded litmus schedules of every variant.
final class MinimizerTests: XCTestCase {
    func testEveryLitmusShrinksAndKeepsItsInvariant() {
        for (v, text) in VariantLitmusTests.litmus {
            var s = sched(text)
            // Pad with noise that cannot matter so there is something to remove.
            s.events.insert(Event(kind: .step, x: 6, y: 3), at: 0)
            s.events.append(Event(kind: .attr, x: 15, y: 1, f1: false))
            s.events.append(Event(kind: .step, x: 5, y: 16))
            let inv = Checker.check(s.bytes, variant: v).violation?.invariant
            XCTAssertEqual(inv, v.expected, v.name)
            guard let m = Minimizer.minimize(s, variant: v) else { XCTFail("\(v.name): nothing to minimize"); continue }
            XCTAssertLessThan(m.events.count, s.events.count, v.name)
            XCTAssertEqual(Checker.check(m.bytes, variant: v).violation?.invariant, inv, "\(v.name) changed invariant")
        }
    }

    func testPassingInputIsNotMinimized() {
        XCTAssertNil(Minimizer.minimize(sched("fault vcpu0 gfn=1 shared"), variant: .none))
    }
}
