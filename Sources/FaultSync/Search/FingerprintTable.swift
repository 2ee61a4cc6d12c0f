import FaultSyncPrefetch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The visited set of hashed mode: two bucketized cuckoo tables (Fan et al.'s cuckoo filter
/// layout: buckets of 8 slots, one cache line; two candidate buckets per fingerprint) that keep
/// every 64-bit fingerprint whole in 51 stored bits, so that one 64-bit slot also holds the
/// state's sleep set.
///
/// In a part of 2^k buckets (k >= 13), a fingerprint `h` lives in bucket `i1 = h mod 2^k` or in
/// `i2 = i1 xor H(tag)`; the slot stores `tag = h >> 13` and one bit saying which of the two it is
/// in. The bucket's position and that bit give back `i1`, whose low 13 bits are the ones the tag
/// lacks, so `(position, bit, tag)` is `h`, exactly: a lookup compares whole fingerprints, and the
/// collision odds are those of 64-bit fingerprints (n^2 / 2^65 for n states). Doubling a part
/// needs bit k of `h` for the new `i1`, and it is in the tag (k >= 13).
///
/// Slot: bits 63..13 tag (never 0, so an empty slot is 0), bit 12 "in i2", bits 11..0 a payload
/// (the explorer's pending bit and an 11-bit compact sleep set, `SleepMap`).
///
/// Why two parts: a state costs 8 / load bytes, and a part doubles at 95 % load (or when a kick
/// chain fails), so one table would range over 8.4 ... 16.8 bytes per state, 16.8 just after each
/// doubling. The fingerprints below `split` (a share of 1 / (1 + sqrt 2), 41.4 %) go to part A,
/// the others to part B; both start at 2^13 buckets. Their loads then never peak together: they
/// double in turn, each doubling coming when the states have grown by a factor of sqrt 2 since
/// the last, so past the first doubling (about 106 k states; 1 MiB before it) a state costs 9.9 ...
/// 14.8 bytes (just after part B doubles, 8 x 3 / 1.62 = 14.8; just after part A, 8 x 4 / 2.29 =
/// 14.0). That is the allocated table between doublings: while a part doubles, its old and new
/// storage are both mapped for the rehash (briefly up to 8 x 4 / 1.62 = 19.8 bytes per state;
/// one table: 8 x 3 / 0.95 = 25.3).
/// `testBytesPerStateStaysUnder16` measures it. A kick chain that fails (500 kicks) doubles its
/// part early, and the bound does not hold until the state count reaches where that part would
/// have doubled anyway (at worst 8 x 6 / 2.29 = 20.9 bytes per state meanwhile); none failed in
/// the tests' millions of random insertions (`failedChains`). A lookup costs one compare more.
///
/// Slots never empty (no deletion), and a kick moves a slot only out of a full bucket, so while
/// `i1` has a free slot nothing whose first bucket is `i1` can be in `i2`: a lookup that finds a
/// free slot in `i1` stops there (one cache line for most new states).
struct FingerprintTable: ~Copyable {
    static let tagShift: UInt64 = 13
    static let minBits = 13
    static let slotsPerBucket = 8
    static let payloadMask: UInt64 = (1 << 12) - 1
    static let altBit: UInt64 = 1 << 12
    /// Fingerprints (normalized) below this go to part A: 2^64 x (sqrt 2 - 1) = 2^64 / (1 + sqrt 2).
    static let split: UInt64 = 0x6A09_E667_F3BC_C908
    /// A slot index of part B has this bit set.
    static let partBSlot = 1 << 62

    private(set) var a = CuckooPart()
    private(set) var b = CuckooPart()

    var count: Int { a.count + b.count }
    var capacity: Int { a.capacity + b.capacity }
    var bytes: Int { a.bytes + b.bytes }
    /// Kick chains that failed, in a lookup or in a rehash (each grew a part early; the memory
    /// bound assumes none).
    var failedChains: Int { a.failedChains + b.failedChains }

    init() {}

    /// The fingerprint as stored: a zero tag becomes 1 (merging two fingerprints out of 2^51).
    @inline(__always) static func normalized(_ fp: UInt64) -> UInt64 {
        fp >> tagShift == 0 ? fp | 1 << tagShift : fp
    }
    @inline(__always) static func alt(_ tag: UInt64) -> Int {
        Int(truncatingIfNeeded: (tag &* 0x9E37_79B9_7F4A_7C15) >> 20)
    }

    /// Find `fp`'s slot, or insert it with `payload`. Returns whether it was new, and its slot
    /// index (valid until the next insertion).
    @inline(__always) mutating func insert(_ fp0: UInt64, payload: UInt64) -> (new: Bool, slot: Int) {
        let fp = Self.normalized(fp0)
        if fp < Self.split { return a.insert(fp, payload: payload) }
        let r = b.insert(fp, payload: payload)
        return (r.new, r.slot | Self.partBSlot)
    }

    /// Ask the cache for `fp`'s first bucket (where a new fingerprint goes, and most stored ones
    /// are), ahead of `insert`.
    @inline(__always) func prefetch(_ fp0: UInt64) {
        let fp = Self.normalized(fp0)
        if fp < Self.split { a.prefetch(fp) } else { b.prefetch(fp) }
    }

    /// The slot of a stored fingerprint.
    @inline(__always) func find(_ fp0: UInt64) -> Int {
        let fp = Self.normalized(fp0)
        return fp < Self.split ? a.find(fp) : b.find(fp) | Self.partBSlot
    }

    @inline(__always) func payload(_ slot: Int) -> UInt64 {
        slot & Self.partBSlot == 0 ? a.payload(slot) : b.payload(slot & ~Self.partBSlot)
    }
    @inline(__always) func setPayload(_ slot: Int, _ p: UInt64) {
        if slot & Self.partBSlot == 0 { a.setPayload(slot, p) } else { b.setPayload(slot & ~Self.partBSlot, p) }
    }

    /// Every stored fingerprint with its payload (tests).
    func contents() -> [(fp: UInt64, payload: UInt64)] {
        var out: [(fp: UInt64, payload: UInt64)] = []
        a.contents(into: &out)
        b.contents(into: &out)
        return out
    }
}

/// One cuckoo table of 2^k buckets (k >= 13); `FingerprintTable` is two of them.
struct CuckooPart: ~Copyable {
    static var tagShift: UInt64 { FingerprintTable.tagShift }
    static var minBits: Int { FingerprintTable.minBits }
    static var slotsPerBucket: Int { FingerprintTable.slotsPerBucket }
    static var payloadMask: UInt64 { FingerprintTable.payloadMask }
    static var altBit: UInt64 { FingerprintTable.altBit }

    private(set) var base: UnsafeMutablePointer<UInt64>
    private(set) var bits: Int
    private(set) var count = 0
    /// Incremented per kick; picks the victim slot.
    private var kicks: UInt64 = 0

    var buckets: Int { 1 << bits }
    var capacity: Int { buckets * Self.slotsPerBucket }
    var bytes: Int { capacity * 8 }

    init(bits: Int = CuckooPart.minBits) {
        precondition(bits >= Self.minBits && bits < 46)
        self.bits = bits
        base = Self.allocate(bits)
    }

    deinit { Self.deallocate(base, bits) }

    /// Anonymous memory: page-aligned (a bucket is one 64-byte cache line), zero-filled lazily,
    /// so a small search touches little of it.
    static func allocate(_ bits: Int) -> UnsafeMutablePointer<UInt64> {
        let p = mmap(nil, (1 << bits) * slotsPerBucket * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let p, p != MAP_FAILED else { fatalError("FingerprintTable: out of memory for 2^\(bits) buckets") }
        #if os(Linux)
        // Transparent huge pages where the system allows them on request: lookups go to random
        // buckets, so 4 KiB pages cost a TLB miss and, first, a page fault per bucket touched.
        _ = madvise(p, (1 << bits) * slotsPerBucket * 8, 14 /* MADV_HUGEPAGE */)
        #endif
        return p.assumingMemoryBound(to: UInt64.self)
    }
    static func deallocate(_ p: UnsafeMutablePointer<UInt64>, _ bits: Int) {
        munmap(p, (1 << bits) * slotsPerBucket * 8)
    }

    @inline(__always) static func alt(_ tag: UInt64) -> Int { FingerprintTable.alt(tag) }

    /// Find `fp` (normalized) in this part, or insert it with `payload`. Returns whether it was
    /// new, and its slot index in the part (valid until the next insertion).
    @inline(__always) mutating func insert(_ fp: UInt64, payload payload0: UInt64) -> (new: Bool, slot: Int) {
        // At 95 % load, double first (even if `fp` is stored: the next new one would).
        if count * 20 >= capacity * 19 { grow(extra: []) }
        let payload = payload0 & Self.payloadMask
        let tag = fp >> Self.tagShift
        let mask = buckets - 1
        let i1 = Int(truncatingIfNeeded: fp) & mask
        let want1 = tag << Self.tagShift
        if let r = scan(i1, want1, payload) { return r }
        if let r = scan(i1 ^ (Self.alt(tag) & mask), want1 | Self.altBit, payload) { return r }
        // Both full: kick.
        count += 1
        if !place(want1 | payload, in: i1) {
            // The chain failed: `fp` is in the table or is the homeless entry; grow, then it is.
            growAll()
        }
        return (true, find(fp))
    }

    /// In bucket `b`: the slot holding `want` (a stored fingerprint), or else the first free one,
    /// filled with `want | payload` (new); nil when the bucket is full without it.
    @inline(__always) private mutating func scan(_ b: Int, _ want: UInt64, _ payload: UInt64) -> (new: Bool, slot: Int)? {
        let p = base + b * Self.slotsPerBucket
        for j in 0..<Self.slotsPerBucket {
            let s = p[j]
            if s == 0 {
                p[j] = want | payload
                count += 1
                return (true, b * Self.slotsPerBucket + j)
            }
            if s & ~Self.payloadMask == want { return (false, b * Self.slotsPerBucket + j) }
        }
        return nil
    }

    @inline(__always) func prefetch(_ fp: UInt64) {
        faultsync_prefetch(base + (Int(truncatingIfNeeded: fp) & (buckets - 1)) * Self.slotsPerBucket)
    }

    /// The slot of a stored (normalized) fingerprint.
    @inline(__always) func find(_ fp: UInt64) -> Int {
        let tag = fp >> Self.tagShift
        let mask = buckets - 1
        let i1 = Int(truncatingIfNeeded: fp) & mask
        let want1 = tag << Self.tagShift
        for j in 0..<8 where base[i1 * 8 + j] & ~Self.payloadMask == want1 { return i1 * 8 + j }
        let i2 = i1 ^ (Self.alt(tag) & mask)
        for j in 0..<8 where base[i2 * 8 + j] & ~Self.payloadMask == want1 | Self.altBit { return i2 * 8 + j }
        fatalError("FingerprintTable.find: fingerprint not stored")
    }

    @inline(__always) func payload(_ slot: Int) -> UInt64 { base[slot] & Self.payloadMask }
    @inline(__always) func setPayload(_ slot: Int, _ p: UInt64) {
        base[slot] = base[slot] & ~Self.payloadMask | p & Self.payloadMask
    }

    /// Put slot word `s` (its alt bit says which of its buckets `b` is) into bucket `b`, kicking
    /// entries to their other bucket; false when the chain is too long (the homeless entry is
    /// then left in `homeless`).
    private var homeless: UInt64 = 0
    private mutating func place(_ s0: UInt64, in b0: Int) -> Bool {
        var s = s0, b = b0
        let mask = buckets - 1
        for _ in 0..<500 {
            let p = base + b * 8
            for j in 0..<8 where p[j] == 0 { p[j] = s; return true }
            kicks &+= 1
            let j = Int(kicks & 7)
            let victim = p[j]
            p[j] = s
            // The victim moves to its other bucket, with its alt bit flipped.
            let tag = victim >> Self.tagShift
            b = b ^ (Self.alt(tag) & mask)
            s = victim ^ Self.altBit
        }
        homeless = s
        homelessBucket = b
        return false
    }
    private var homelessBucket = 0

    /// Kick chains that failed, in a lookup (doubling the part before its 95 % load) or while
    /// rehashing into a doubled part (growing it fourfold or more).
    private(set) var failedChains = 0

    /// Double the table after a failed kick chain, the homeless entry included.
    private mutating func growAll() {
        failedChains += 1
        grow(extra: [(homeless, homelessBucket)])
    }

    /// Double the table (again, until every entry fits).
    private mutating func grow(extra pending: [(UInt64, Int)]) {
        var newBits = bits + 1
        while true {
            if let t = rehashed(into: newBits, extra: pending) {
                Self.deallocate(base, bits)
                base = t
                bits = newBits
                break
            }
            failedChains += 1
            newBits += 1
        }
    }

    /// The entries (plus `extra`: slot words with the bucket they are in, at the current size)
    /// in a new table of 2^newBits buckets, or nil if one did not fit.
    private mutating func rehashed(into newBits: Int, extra: [(UInt64, Int)]) -> UnsafeMutablePointer<UInt64>? {
        let t = Self.allocate(newBits)
        let oldMask = buckets - 1
        let newMask = (1 << newBits) - 1
        let saved = (base, bits)
        // `place` works on `base`/`bits`: point them at the new table while filling it.
        base = t
        bits = newBits
        defer { base = saved.0; bits = saved.1 }
        func reinsert(_ s: UInt64, _ b: Int) -> Bool {
            let tag = s >> Self.tagShift
            var i1 = s & Self.altBit != 0 ? b ^ (Self.alt(tag) & oldMask) : b
            // The fingerprint's bits saved.1 ..< newBits are tag bits (>= 13).
            for k in saved.1..<newBits {
                i1 |= Int((tag >> UInt64(k - Int(Self.tagShift))) & 1) << k
            }
            return place(s & ~Self.altBit, in: i1 & newMask)
        }
        for i in 0..<(1 << saved.1) * Self.slotsPerBucket {
            let s = saved.0[i]
            if s != 0 && !reinsert(s, i / Self.slotsPerBucket) { Self.deallocate(t, newBits); return nil }
        }
        for (s, b) in extra where !reinsert(s, b) { Self.deallocate(t, newBits); return nil }
        return t
    }

    /// Every stored fingerprint with its payload (tests).
    func contents(into out: inout [(fp: UInt64, payload: UInt64)]) {
        let mask = buckets - 1
        for i in 0..<capacity {
            let s = base[i]
            guard s != 0 else { continue }
            let tag = s >> Self.tagShift
            let b = i / Self.slotsPerBucket
            let i1 = s & Self.altBit != 0 ? b ^ (Self.alt(tag) & mask) : b
            out.append((tag << Self.tagShift | UInt64(i1) & ((1 << Self.tagShift) - 1), s & Self.payloadMask))
        }
    }
}

/// The sleep sets the visited table stores, in `width` (11) bits: transition bits (an actor
/// index, or `Explorer.startShift` + operation index: up to 29) get compact bits in the order they
/// first appear in a successor's sleep set. Once all are given out, `restrict` drops the others
/// from the sleep sets it is given: a smaller sleep set only takes more transitions, which is
/// sound (it costs reduction, never coverage). Measured on the bench-check scenarios: 5, 7, 8 and
/// 10 transition bits in use for 3, 4, 5 and 6 operations, none dropped (`sleepDropped` in
/// `faultsync check --json` says when some are).
struct SleepMap {
    var compactOf = InlineArray<32, UInt8>(repeating: 0xFF)
    var fullOf = InlineArray<16, UInt8>(repeating: 0)
    /// Compact bits: the payload's 12 bits less the pending bit.
    static let width = 11
    var used = 0
    /// Transition bits that have a compact bit.
    var mapped: UInt32 = 0
    /// Transitions dropped from sleep sets because the compact bits ran out (a statistic).
    var dropped = 0

    /// `z` with compact bits given to its new members while there are some; the members that
    /// could not get one are left out.
    @inline(__always) mutating func restrict(_ z: UInt32) -> UInt32 {
        var rest = z & ~mapped
        guard rest != 0 else { return z }
        while rest != 0 {
            let t = rest.trailingZeroBitCount
            rest &= rest - 1
            if used < SleepMap.width {
                compactOf[t] = UInt8(used)
                fullOf[used] = UInt8(t)
                used += 1
                mapped |= 1 << UInt32(t)
            } else {
                dropped += 1
            }
        }
        return z & mapped
    }

    /// The compact form of a set whose members all have compact bits.
    @inline(__always) func compact(_ z: UInt32) -> UInt64 {
        var c: UInt64 = 0
        var rest = z
        while rest != 0 {
            let t = rest.trailingZeroBitCount
            rest &= rest - 1
            c |= 1 << UInt64(compactOf[t])
        }
        return c
    }

    /// The set of a compact form (bits `width` and up are ignored).
    @inline(__always) func full(_ c: UInt64) -> UInt32 {
        var z: UInt32 = 0
        var rest = c & ((1 << UInt64(SleepMap.width)) - 1)
        while rest != 0 {
            let i = rest.trailingZeroBitCount
            rest &= rest - 1
            z |= 1 << UInt32(fullOf[i])
        }
        return z
    }
}
