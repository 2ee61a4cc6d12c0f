import XCTest
@testable import FaultSync

/// The schedule-aware mutator keeps the record framing, stays within the size limits, and is a
/// function of its seed.
final class RecordMutatorTests: XCTestCase {
    func mutate(_ input: [UInt8], maxSize: Int, seed: UInt32, byteCalls: inout Int) -> [UInt8] {
        var buf = input + [UInt8](repeating: 0xEE, count: max(0, maxSize - input.count))
        var calls = 0
        let n = buf.withUnsafeMutableBufferPointer { p in
            RecordMutator.mutate(p.baseAddress!, size: input.count, maxSize: maxSize, seed: seed) { _, size, _ in
                calls += 1
                return size
            }
        }
        byteCalls += calls
        return Array(buf[0..<n])
    }

    func testRecordMutationsKeepTheFramingAndTheLimits() {
        var r = SplitMix(state: 3)
        var byteCalls = 0, grew = 0, shrank = 0, same = 0
        for i in 0..<20_000 {
            let len = Int(r.next() % 60) * 3
            let input = (0..<len).map { _ in UInt8(truncatingIfNeeded: r.next()) }
            let maxSize = [0, 3, 30, 384, 4096][i % 5]
            guard input.count <= maxSize else { continue }
            let before = byteCalls
            let out = mutate(input, maxSize: maxSize, seed: UInt32(truncatingIfNeeded: r.next()), byteCalls: &byteCalls)
            XCTAssertLessThanOrEqual(out.count, maxSize)
            if byteCalls > before { continue }          // libFuzzer's own mutation ran instead
            XCTAssertEqual(out.count % ScheduleFormat.recordSize, 0)
            XCTAssertLessThanOrEqual(out.count, ScheduleFormat.maxInputBytes)
            if out.count > input.count { grew += 1 } else if out.count < input.count { shrank += 1 } else { same += 1 }
            // Every record of the output is a record of the input or a new one; the input's
            // records stay whole (a framing shift would split them).
            if out.count == input.count && out != input {
                let a = Set(stride(from: 0, to: input.count, by: 3).map { Array(input[$0..<$0 + 3]) })
                let b = Set(stride(from: 0, to: out.count, by: 3).map { Array(out[$0..<$0 + 3]) })
                XCTAssertEqual(a, b, "a same-size record mutation is a swap")
            }
        }
        XCTAssertGreaterThan(byteCalls, 2_000, "libFuzzer's mutations still run part of the time")
        XCTAssertGreaterThan(grew, 1_000)
        XCTAssertGreaterThan(shrank, 500)
        XCTAssertGreaterThan(same, 100)
    }

    func testSameSeedSameMutation() {
        let input: [UInt8] = Array(0..<30)
        var c = 0
        for seed in UInt32(0)..<200 {
            XCTAssertEqual(mutate(input, maxSize: 384, seed: seed, byteCalls: &c), mutate(input, maxSize: 384, seed: seed, byteCalls: &c))
        }
    }
}
