import XCTest
@testable import FaultSync

/// The unguided baselines' seeds give independent streams: distinct first draws, and no stream
/// is a shift of another over the first thousand draws (the old `seed * gamma | 1` seeding made
/// every odd seed one stream and every even seed another).
final class SeedStreamTests: XCTestCase {
    func draws(_ seed: UInt64, _ n: Int) -> [UInt64] {
        var r = SplitMix64(stream: seed)
        return (0..<n).map { _ in r.next() }
    }

    func testSeedsAreIndependentStreams() {
        let seeds: [UInt64] = Array(0...16)
        let first = seeds.map { draws($0, 1)[0] }
        XCTAssertEqual(Set(first).count, seeds.count, "first draws differ")
        let streams = seeds.map { Set(draws($0, 1000)) }
        for i in seeds.indices {
            for j in seeds.indices where i != j {
                XCTAssertFalse(streams[i].contains(first[j]), "seed \(seeds[j]) is a shift of seed \(seeds[i])")
            }
        }
    }

    /// Negative control: the old seeding fails the same check.
    func testOldSeedingWasShifted() {
        func old(_ s: UInt64) -> SplitMix64 { SplitMix64(seed: s &* 0x9E37_79B9_7F4A_7C15 | 1) }
        var a = old(1), b = old(3)
        let fb = b.next()
        let sa = (0..<1000).map { _ in a.next() }
        XCTAssertTrue(sa.contains(fb), "seed 3 was seed 1 shifted")
    }
}
