/// Schedule-aware mutations for libFuzzer's `LLVMFuzzerCustomMutator`.
///
/// libFuzzer mutates bytes. Inserting or erasing one byte shifts the 3-byte framing of every
/// later record, so one mutation rewrites the rest of the schedule. These mutations keep the
/// framing and work on whole events: insert, erase, duplicate, swap and append records.
/// Part of the time they hand the input to libFuzzer's own mutations (dictionary, comparison
/// operands, bit flips), which see and change bytes as before.
public enum RecordMutator {
    /// Mutate `data[0..<size]` in place (capacity `maxSize`); return the new size.
    /// `byteLevel` is libFuzzer's `LLVMFuzzerMutate`.
    public static func mutate(_ data: UnsafeMutablePointer<UInt8>, size: Int, maxSize: Int, seed: UInt32,
                              byteLevel: (UnsafeMutablePointer<UInt8>, Int, Int) -> Int) -> Int {
        let rs = ScheduleFormat.recordSize
        var r = SplitMix64(seed: UInt64(seed) &* 0x2545_F491_4F6C_DD1D | 1)
        let capRecords = min(maxSize, ScheduleFormat.maxInputBytes) / rs
        let n = min(size / rs, capRecords)
        if capRecords == 0 || r.next() % 8 < 3 { return byteLevel(data, size, maxSize) }
        func below(_ k: Int) -> Int { k <= 0 ? 0 : Int(r.next() % UInt64(k)) }
        func randomRecord(at i: Int) {
            let x = r.next()
            data[i * rs] = UInt8(truncatingIfNeeded: x)
            data[i * rs + 1] = UInt8(truncatingIfNeeded: x >> 8)
            data[i * rs + 2] = UInt8(truncatingIfNeeded: x >> 16)
        }
        /// Open a gap of `k` records at record `at` (records after it move right).
        func openGap(_ at: Int, _ k: Int, _ count: Int) {
            (data + (at + k) * rs).update(from: data + at * rs, count: (count - at) * rs)
        }
        switch r.next() % 6 {
        case 0, 1:   // insert 1-4 random events
            let k = min(1 + below(4), capRecords - n)
            guard k > 0 else { return byteLevel(data, size, maxSize) }
            let at = below(n + 1)
            openGap(at, k, n)
            for j in 0..<k { randomRecord(at: at + j) }
            return (n + k) * rs
        case 2:      // erase 1-4 events
            guard n > 0 else { return byteLevel(data, size, maxSize) }
            let at = below(n), k = min(1 + below(4), n - at)
            (data + at * rs).update(from: data + (at + k) * rs, count: (n - at - k) * rs)
            return (n - k) * rs
        case 3:      // duplicate a run of 1-8 events elsewhere (repeat an interleaving fragment)
            guard n > 0 else { return byteLevel(data, size, maxSize) }
            let from = below(n), k = min(1 + below(8), n - from, capRecords - n)
            guard k > 0 else { return byteLevel(data, size, maxSize) }
            var tmp = (UInt64(0), UInt64(0), UInt64(0))   // 24 bytes = 8 records
            withUnsafeMutableBytes(of: &tmp) { t in
                t.baseAddress!.copyMemory(from: data + from * rs, byteCount: k * rs)
                let at = below(n + 1)
                openGap(at, k, n)
                (data + at * rs).update(from: t.baseAddress!.assumingMemoryBound(to: UInt8.self), count: k * rs)
            }
            return (n + k) * rs
        case 4:      // swap two events (reorder an interleaving)
            guard n > 1 else { return byteLevel(data, size, maxSize) }
            let i = below(n), j = below(n)
            for b in 0..<rs { let t = data[i * rs + b]; data[i * rs + b] = data[j * rs + b]; data[j * rs + b] = t }
            return n * rs
        default:     // append 1-16 random events (grow a short schedule quickly)
            let k = min(1 + below(16), capRecords - n)
            guard k > 0 else { return byteLevel(data, size, maxSize) }
            for j in 0..<k { randomRecord(at: n + j) }
            return (n + k) * rs
        }
    }
}
