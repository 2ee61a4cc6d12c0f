import XCTest
@testable import FaultSync

/// The world size is a configuration, not a constant of the model.
final class ConfigTests: XCTestCase {
    func testLargerWorldOneVcpuOneNotifier() throws {
        var c = WorldConfig()
        c.gfnCount = 32; c.hvaCount = 64; c.vcpus = 1; c.notifiers = 1
        c.initialSlots = [(0, 0, 16, 0), (1, 16, 8, 40), (2, 28, 4, 32)]
        let g = Geometry(c)
        let s = try Schedule(text: """
            fault vcpu0 gfn=30 shared
            fault vcpu1 gfn=20 shared
            remap hva=33 pages=2
            remap hva=41 pages=1
            """, geometry: g)
        let (v, w) = Checker.finalWorld(s.bytes, config: c)
        XCTAssertNil(v.violation)
        XCTAssertEqual(w.gfnCount, 32)
        XCTAssertEqual(w.actors[1].kind, .absent, "one vCPU: the vcpu1 fault is ignored")
        XCTAssertEqual(w.actors[3].kind, .absent)
        XCTAssertFalse(w.leaf[20].present)
        XCTAssertTrue(w.leaf[30].present || w.actors[0].retries > 0)
        XCTAssertEqual(w.mnActive, 0)
        var r = SplitMix(state: 99)
        for _ in 0..<5_000 {
            XCTAssertNil(Checker.check(randomBytes(&r, maxLen: 120), config: c).violation)
        }
    }

    func testVariantsStillBiteInALargerWorld() {
        var c = WorldConfig()
        c.gfnCount = 32; c.hvaCount = 64
        var r = SplitMix(state: 5)
        var found = false
        for _ in 0..<20_000 where !found {
            found = Checker.check(randomBytes(&r, maxLen: 120), variant: .noSeqRecheck, config: c).violation != nil
        }
        XCTAssertTrue(found)
    }
}
