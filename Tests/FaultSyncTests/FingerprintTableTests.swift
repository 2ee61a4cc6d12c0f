import XCTest
@testable import FaultSync

/// The hashed-mode visited table stores 51 bits of each 64-bit fingerprint and recovers the rest
/// from the slot's position: these tests check that it is still a set of whole 64-bit
/// fingerprints (no two distinct ones confused, none lost, payloads kept) through kicks and
/// doublings, and that the sleep sets' compact form is sound.
final class FingerprintTableTests: XCTestCase {
    func testWholeFingerprintsThroughKicksAndGrowth() {
        var rng = SplitMix64(stream: 7)
        var t = FingerprintTable()
        var fps: [UInt64] = []
        var seen = Set<UInt64>()
        // Past six doublings of the smallest table (2^13 buckets x 8 slots, 95 % load).
        let n = 4_500_000
        fps.reserveCapacity(n)
        for i in 0..<n {
            var fp = rng.next()
            if i % 5 == 0 {
                // Fingerprints that share the stored tag and differ only in the bits the slot's
                // position stands for: a table that kept only the tag would merge these.
                fp = (fps.randomElement(using: &rng) ?? fp) ^ UInt64(1 + i % 1000)
            }
            if i % 7 == 0 { fp &= ~(UInt64.max << FingerprintTable.tagShift) }   // a zero tag (normalized to 1)
            let expectNew = seen.insert(FingerprintTable.normalized(fp)).inserted
            let payload = UInt64(truncatingIfNeeded: fp &* 31) & FingerprintTable.payloadMask
            let (isNew, slot) = t.insert(fp, payload: payload)
            XCTAssertEqual(isNew, expectNew, "fingerprint \(fp) at insertion \(i)")
            if isNew != expectNew { return }
            if !isNew { continue }
            fps.append(fp)
            XCTAssertEqual(t.payload(slot), payload)
        }
        XCTAssertGreaterThan(t.a.bits, FingerprintTable.minBits + 4, "part A doubled")
        XCTAssertGreaterThan(t.b.bits, FingerprintTable.minBits + 4, "part B doubled")
        XCTAssertEqual(t.count, seen.count)
        // Every fingerprint is found, in its own slot, with its payload; and the table's
        // contents are exactly the normalized fingerprints.
        for fp in fps.prefix(200_000) {
            let (isNew, slot) = t.insert(fp, payload: 0)
            XCTAssertFalse(isNew)
            XCTAssertEqual(t.find(fp), slot)
            XCTAssertEqual(t.payload(slot), UInt64(truncatingIfNeeded: fp &* 31) & FingerprintTable.payloadMask)
        }
        let stored = t.contents()
        XCTAssertEqual(stored.count, seen.count)
        XCTAssertEqual(Set(stored.map(\.fp)), seen)
        XCTAssertEqual(t.failedChains, 0, "random fingerprints: no kick chain failed")
        // 8 bytes a slot, loaded to at most 95 %.
        XCTAssertLessThanOrEqual(Double(t.count), Double(t.capacity) * 0.95)
    }

    /// A kick chain that cannot succeed: 17 fingerprints whose two buckets are the same two (same
    /// low 13 bits, tags with the same alternate offset, all in part B) fill both and force the
    /// part to grow with a homeless entry; all 17 must still be found afterwards.
    func testFailedKickChainGrowsAndLosesNothing() {
        var t = FingerprintTable()
        let mask = UInt64(t.b.buckets - 1)
        var rng = SplitMix64(stream: 5)
        let low: UInt64 = 0x1234 & mask
        let wanted = UInt64(FingerprintTable.alt(1 + rng.next() >> 14)) & mask
        var fps: [UInt64] = []
        while fps.count < 17 {
            let tag = 1 + rng.next() >> 14
            let fp = tag << FingerprintTable.tagShift | low
            if UInt64(FingerprintTable.alt(tag)) & mask == wanted && fp >= FingerprintTable.split { fps.append(fp) }
        }
        for (i, fp) in fps.enumerated() {
            let (isNew, slot) = t.insert(fp, payload: UInt64(i))
            XCTAssertTrue(isNew)
            XCTAssertEqual(t.payload(slot), UInt64(i))
        }
        XCTAssertEqual(t.b.bits, FingerprintTable.minBits + 1, "the 17th forced a doubling")
        XCTAssertEqual(t.failedChains, 1)
        XCTAssertEqual(t.a.bits, FingerprintTable.minBits, "of part B only")
        XCTAssertEqual(t.count, 17)
        for (i, fp) in fps.enumerated() {
            XCTAssertFalse(t.insert(fp, payload: 0).new)
            XCTAssertEqual(t.payload(t.find(fp)), UInt64(i))
        }
        XCTAssertEqual(Set(t.contents().map(\.fp)), Set(fps))
    }

    /// The memory bound of hashed mode: past the first doubling, the table never costs more than
    /// 16 bytes per stored state (one table doubling at 95 % load would reach 16.8 just after
    /// each doubling; the two parts double in turn). Measured after every insertion, from 2.5 to
    /// 10 times the smallest table's states; the largest seen must also be near the designed
    /// 14.8, so that the check is not vacuous.
    func testBytesPerStateStaysUnder16() {
        var t = FingerprintTable()
        var rng = SplitMix64(stream: 11)
        let smallest = 2 * (1 << FingerprintTable.minBits) * FingerprintTable.slotsPerBucket
        var worst = 0.0, best = Double.infinity, growths = 0, lastBytes = t.bytes
        for i in 1...(10 * smallest) {
            _ = t.insert(rng.next(), payload: 0)
            if t.bytes != lastBytes { growths += 1; lastBytes = t.bytes }
            guard i >= smallest * 5 / 2 else { continue }
            let perState = Double(t.bytes) / Double(t.count)
            worst = max(worst, perState)
            best = min(best, perState)
        }
        XCTAssertLessThanOrEqual(worst, 14.85, "the designed bound, 8 x 3 / 1.62")
        XCTAssertEqual(t.failedChains, 0, "the bound assumes doublings at 95 % load only")
        XCTAssertGreaterThan(worst, 14.0, "the measured range reached a doubling")
        XCTAssertGreaterThan(growths, 4)
        XCTAssertGreaterThan(best, 9.0)
        // The split: part A holds about 1 / (1 + sqrt 2) of the fingerprints.
        let shareA = Double(t.a.count) / Double(t.count)
        XCTAssertEqual(shareA, 0.4142, accuracy: 0.01)
    }

    func testSetPayloadKeepsTheFingerprint() {
        var t = FingerprintTable()
        let (_, s) = t.insert(0xDEAD_BEEF_1234_5678, payload: 5)
        t.setPayload(s, FingerprintTable.payloadMask)
        XCTAssertEqual(t.payload(t.find(0xDEAD_BEEF_1234_5678)), FingerprintTable.payloadMask)
        XCTAssertFalse(t.insert(0xDEAD_BEEF_1234_5678, payload: 0).new)
        XCTAssertTrue(t.insert(0xDEAD_BEEF_1234_5679, payload: 0).new)
    }

    /// A sleep set may only lose members when compacted (a smaller one takes more transitions):
    /// `restrict` never adds, `full(compact(z)) == z` for what it returns, and intersection
    /// commutes with the compact form.
    func testSleepMapOnlyDrops() {
        var m = SleepMap()
        var rng = SplitMix64(stream: 3)
        for i in 0..<2_000 {
            let z = UInt32(truncatingIfNeeded: rng.next()) & 0x0FFF_FFFF & (i < 50 ? 0x7FF : 0x0FFF_FFFF)
            let r = m.restrict(z)
            XCTAssertEqual(r & ~z, 0, "restrict added members")
            XCTAssertEqual(m.full(m.compact(r)), r)
            let y = m.restrict(UInt32(truncatingIfNeeded: rng.next()) & 0x0FFF_FFFF)
            XCTAssertEqual(m.compact(r) & m.compact(y), m.compact(r & y))
        }
        XCTAssertEqual(m.used, SleepMap.width)
        XCTAssertGreaterThan(m.dropped, 0)
        var small = SleepMap()
        XCTAssertEqual(small.restrict(0x7FF), 0x7FF)
        XCTAssertEqual(small.dropped, 0)
    }
}

/// The checker re-hashes only the canonical components whose bytes changed from the parent
/// (`World.fingerprint(salt:scratch:comps:ranks:parent:)`): along random walks over every menu
/// operation, in every world, it must give exactly the full computation's fingerprint.
final class IncrementalFingerprintTests: XCTestCase {
    func testIncrementalEqualsFull() {
        var configs: [WorldConfig] = [.default]
        var c = WorldConfig.default; c.gmemMmap = true; configs.append(c)
        c = .default; c.gmemMmap = true; c.mirrorTDP = true; configs.append(c)
        c = .default; c.gmemMmap = true; c.gmemInitShared = true; configs.append(c)
        c = .default; c.zapAllOnSlotChange = false; configs.append(c)
        // Other sizes: the compared ranges are cut at the storage a world uses.
        c = .default; c.apicAccessPage = false; configs.append(c)
        c = .default; c.gfnCount = 24; c.hvaCount = 40; configs.append(c)
        c = .default; c.gfnCount = 28; c.hvaCount = 60; c.initialSlots = [(0, 0, 8, 0), (1, 8, 4, 16), (2, 20, 8, 40)]; configs.append(c)
        c = .default; c.gfnCount = 32; c.hvaCount = 64; configs.append(c)   // full capacity: no APIC page
        let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: BufferSink.capacity)
        defer { scratch.deallocate() }
        var rng = SplitMix64(stream: 11)
        var checked = 0, rehashedLess = 0
        // Successors in which each component's hash changed: the walks must reach every root.
        var changedIn = [Int](repeating: 0, count: CanonicalComponents.count)
        for config in configs {
            let ops = ScenarioMenu.ops(for: config)
            let ranges = CanonicalComponents.ranges(for: World(config: config))
            defer { ranges.list.deallocate(); ranges.groups.deallocate() }
            // (300 walks since the menu gained `age`, 28 operations: with 200 the host PTEs
            // (component 2) changed in 78 successors, under the 100 below.)
            for walk in 0..<300 {
                var buf = NodeBuffer()
                buf.push(Explorer.Node(world: World(config: config), mask: 0, id: 0, depth: 0))
                _ = Explorer.Node.fingerprint(buf.last, salt: 0, scratch: scratch)
                // Short walks, and long ones that reach the later roots (2 and 3 are allocated
                // only while invalidated roots are still held).
                var rotated = false
                for i in 0..<(walk % 4 == 0 ? 400 : 60) {
                    // Roots are allocated first-free, so walks seldom reach roots 2 and 3: half
                    // of them move every root 1, 2 or 3 slots up (and the vCPUs' references
                    // with them) part-way, a state the same up to the roots' numbering.
                    if walk % 2 == 1 && !rotated && i > 0
                        && (0..<Cap.roots).contains(where: { buf.last.pointee.world.roots[$0].state != .free }) {
                        rotated = true
                        let up = 1 + (walk / 2) % 3
                        let old = buf.last.pointee.world.roots
                        for r in 0..<Cap.roots { buf.last.pointee.world.roots[(r + up) % Cap.roots] = old[r] }
                        for a in 0..<Cap.actors where buf.last.pointee.world.actors[a].root != none8 {
                            buf.last.pointee.world.actors[a].root = UInt8((Int(buf.last.pointee.world.actors[a].root) + up) % Cap.roots)
                        }
                        _ = Explorer.Node.fingerprint(buf.last, salt: 0, scratch: scratch)
                    }
                    // A successor of the last node, built as the checker builds it (room reserved
                    // first: `parent` must not move).
                    buf.reserve(1)
                    let parent = buf.last
                    let child = buf.appendCopy(of: parent)
                    var moved = false
                    var stepped = -1
                    for _ in 0..<16 where !moved {
                        if rng.next() % 3 == 0 {
                            moved = child.pointee.world.start(ops[Int(rng.next() % UInt64(ops.count))])
                        } else {
                            let a = Int(rng.next() % UInt64(Cap.actors))
                            if child.pointee.world.runnable(a) {
                                child.pointee.world.step(a)
                                child.pointee.world.checkStep()
                                moved = true
                                stepped = a
                            }
                        }
                    }
                    if !moved || child.pointee.world.violation != nil { break }
                    let salt = rng.next() & 0xFFFF
                    let before = child.pointee.comps
                    let inc = Explorer.Node.fingerprint(child, salt: salt, scratch: scratch, parent: parent, ranges: ranges,
                                                        stepped: stepped)
                    var fresh = child.pointee.world
                    let full = fresh.fingerprint(salt: salt)
                    XCTAssertEqual(inc, full, "incremental fingerprint differs from the full one")
                    if inc != full { return }
                    checked += 1
                    var unchanged = 0
                    for k in 0..<CanonicalComponents.count {
                        if before[k] == child.pointee.comps[k] { unchanged += 1 } else { changedIn[k] += 1 }
                    }
                    if unchanged > 0 { rehashedLess += 1 }
                }
            }
        }
        XCTAssertGreaterThan(checked, 10_000)
        for k in [0, 1, 2, 3] + Array(CanonicalComponents.roots..<CanonicalComponents.actors) {
            XCTAssertGreaterThan(changedIn[k], 100, "component \(k) changed in too few successors for the test to see it")
        }
        XCTAssertGreaterThan(rehashedLess, checked / 2, "most successors keep some components' hashes")
    }

    /// Field by field: a world and a copy with one field of a non-ranked component changed to
    /// another valid value (every field of component 0, host PTEs up to the APIC page's, root
    /// headers and SPTEs up to the last mapped gfn and block), at several sizes: whenever the
    /// component's canonical words change, `dirtyComponents` must call it changed. Walks reach
    /// some of these fields seldom (host PTEs past the slots, the APIC PTE, most of component 0's
    /// gaps between other components' storage); this reaches each.
    func testEveryReadFieldIsInItsComponentsRanges() {
        var configs: [WorldConfig] = [.default]
        var c = WorldConfig.default; c.apicAccessPage = false; configs.append(c)
        c = .default; c.gfnCount = 24; c.hvaCount = 40; configs.append(c)
        c = .default; c.gfnCount = 28; c.hvaCount = 60; configs.append(c)
        c = .default; c.gfnCount = 32; c.hvaCount = 64; configs.append(c)
        let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: BufferSink.capacity)
        defer { scratch.deallocate() }
        var rng = SplitMix64(stream: 5)
        var changedWords = 0, cases = 0
        for config in configs {
            let base = World(config: config)
            let ranges = CanonicalComponents.ranges(for: base)
            defer { ranges.list.deallocate(); ranges.groups.deallocate() }
            let hosts = base.apicGfn >= 0 ? base.hvaCount + 1 : base.hvaCount
            let v16 = { UInt16(truncatingIfNeeded: rng.next() | 1) }
            let v8 = { UInt8(truncatingIfNeeded: rng.next() % 200) }
            var edits: [(inout World) -> Void] = [
                { $0.seq &+= 1 }, { $0.inProgress += 1 }, { $0.rangeStart = v16() }, { $0.rangeEnd = v16() },
                { $0.mnActive += 1 }, { $0.mmuWriter = v8() }, { $0.mmuReaders += 1 }, { $0.slotsLockHolder = v8() },
                { $0.active ^= 1 }, { $0.generation &+= 1 }, { $0.nextIncarnation &+= 1 }, { $0.privateGfns ^= 1 << 3 },
                { $0.gmemInvalidateLock = v8() }, { $0.gmemDying.toggle() }, { $0.gmemReleased.toggle() },
                { $0.gmemPoison ^= 1 << 2 }, { $0.gmemPoisonHandled ^= 1 << 2 }, { $0.gpc.onList.toggle() },
                { $0.gpc.valid.toggle() }, { $0.gpc.pfn = v16() }, { $0.gpc.generation &+= 1 }, { $0.gpc.refreshLock = v8() },
                { $0.mnEndCount &+= 1 }, { $0.hostHuge ^= 1 << 1 }, { $0.hostBusy ^= 1 << 1 }, { $0.nextPfn &+= 64 },
                { $0.freed[0] ^= 1 << 9 }, { $0.apicvInhibited.toggle() }, { $0.apicZapPending.toggle() },
            ]
            for g in 0..<base.gfnCount { edits.append { $0.gmemPfn[g] = v16() } }
            for h in 0..<hosts { edits.append { $0.host[h].pfn = v16() }; edits.append { $0.host[h].version &+= 1 } }
            for r in 0..<Cap.roots {
                edits.append { $0.roots[r].state = .valid }
                edits.append { $0.roots[r].refs &+= 1 }
                edits.append { $0.roots[r].scheduledToZap.toggle() }
                edits.append { $0.roots[r].hasPT ^= 1 }
                for g in 0..<base.mappedGfns { edits.append { $0.roots[r].state = .valid; $0.roots[r].leaf[g].present = true; $0.roots[r].leaf[g].pfn = v16() } }
                for b in 0..<base.mappedBlocks { edits.append { $0.roots[r].state = .valid; $0.roots[r].huge[b].present = true; $0.roots[r].huge[b].pfn = v16() } }
            }
            for edit in edits {
                var x = base, y = base
                edit(&y)
                // A root's SPTEs count only while it is allocated: compare against that root
                // allocated and empty.
                for r in 0..<Cap.roots where y.roots[r].state != x.roots[r].state { x.roots[r].state = y.roots[r].state }
                var rx = x.ranks(), ry = y.ranks()
                let dirty = withUnsafePointer(to: &y) { py in
                    withUnsafePointer(to: &x) { CanonicalComponents.dirtyComponents(py, $0, ranges, stepped: -1) }
                }
                for k in 0..<CanonicalComponents.count where CanonicalComponents.ranked & (1 << UInt32(k)) == 0 {
                    var bx = BufferSink(scratch)
                    x.canonicalComponent(k, &rx, into: &bx)
                    let wx = Array(UnsafeBufferPointer(start: scratch, count: bx.n))
                    var by = BufferSink(scratch)
                    y.canonicalComponent(k, &ry, into: &by)
                    let wy = Array(UnsafeBufferPointer(start: scratch, count: by.n))
                    cases += 1
                    if wx != wy {
                        changedWords += 1
                        XCTAssertNotEqual(dirty & (1 << UInt32(k)), 0, "component \(k): its words changed, its bytes were not seen to (\(config.gfnCount) gfns, \(config.hvaCount) hvas)")
                    }
                }
            }
        }
        XCTAssertGreaterThan(changedWords, 500)
        XCTAssertGreaterThan(cases, changedWords)
    }

    /// `ExploreOptions.verifyFingerprints` compares every successor of a search, and sees the
    /// changes of each root it uses.
    func testVerifyFingerprintsOverASearch() {
        var o = ExploreOptions()
        o.verifyFingerprints = true
        o.depthFirst = true
        let s = Scenario(schedule: sched("fault vcpu0 gfn=1 shared\nnx-toggle\nfault vcpu1 gfn=2 shared prefault"))
        let r = Explorer.explore(s, options: o)
        XCTAssertEqual(r.outcome, .complete)
        XCTAssertEqual(r.stats.fingerprintErrors, 0)
        XCTAssertEqual(r.stats.componentsChanged & (1 << UInt32(CanonicalComponents.roots + 1)), 1 << UInt32(CanonicalComponents.roots + 1))
    }

    /// Breadth-first, `verifyFingerprints` also keeps every level's states whole and compares each
    /// state unpacked from the packed level (each packed against the one before, the expansion's
    /// writes to the node put back) with its whole copy.
    func testBreadthFirstUnpacksEveryStateExactly() {
        var o = ExploreOptions()
        o.verifyFingerprints = true
        for text in ["fault vcpu0 gfn=1 shared\nnx-toggle\nfault vcpu1 gfn=2 shared prefault",
                     "fault vcpu0 gfn=9 shared\nremap hva=17 pages=1\ndelete slot=1"] {
            let s = Scenario(schedule: sched(text))
            let r = Explorer.explore(s, options: o)
            XCTAssertEqual(r.outcome, .complete)
            XCTAssertEqual(r.stats.fingerprintErrors, 0, text)
            o.depthFirst = true
            XCTAssertEqual(Explorer.explore(s, options: o).stats.distinct, r.stats.distinct, text)
            o.depthFirst = false
        }
    }

    /// Negative control: a fingerprint that reused a stale component hash would differ from the
    /// full one — the comparison above can fail.
    func testStaleComponentIsCaught() {
        let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: BufferSink.capacity)
        defer { scratch.deallocate() }
        var buf = NodeBuffer()
        buf.push(Explorer.Node(world: World(), mask: 0, id: 0, depth: 0))
        _ = Explorer.Node.fingerprint(buf.last, salt: 0, scratch: scratch)
        let child = buf.appendCopy(of: buf.last)
        XCTAssertTrue(child.pointee.world.start(sched("fault vcpu0 gfn=1 shared").events[0]))
        child.pointee.world.step(0)
        let full = { () -> UInt64 in var w = child.pointee.world; return w.fingerprint(salt: 0) }()
        // Re-hash nothing but component 0: the actor's component keeps its parent's hash.
        let raw = UnsafeMutableRawPointer(child)
        let comps = (raw + Explorer.Node.compsOffset).assumingMemoryBound(to: UInt64.self)
        let ranks = (raw + Explorer.Node.ranksOffset).assumingMemoryBound(to: Ranks.self)
        comps[0] = child.pointee.world.componentHash(0, ranks, scratch)
        XCTAssertNotEqual(CanonicalComponents.combine(comps, salt: 0), full)
    }
}

/// Breadth-first parent links live in an unlinked temporary file (`ParentLog`): every record reads
/// back as written — from the write buffer, from disk, and, after a write fails as on a full disk
/// (also in the middle of a record), from memory.
final class ParentLogTests: XCTestCase {
    func check(_ log: inout ParentLog, _ n: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(log.count, n, file: file, line: line)
        for i in stride(from: 0, to: n, by: 1) where i % 97 == 0 || i >= n - 3 || i % ParentLog.bufferRecords < 2 {
            let (p, m) = log.record(i)
            XCTAssertEqual(p, UInt32(truncatingIfNeeded: i &* 2_654_435_761), "record \(i)", file: file, line: line)
            XCTAssertEqual(m, UInt8(truncatingIfNeeded: i), "record \(i)", file: file, line: line)
        }
    }
    func fill(_ log: inout ParentLog, _ n: Int) {
        for i in 0..<n { log.append(parent: UInt32(truncatingIfNeeded: i &* 2_654_435_761), move: UInt8(truncatingIfNeeded: i)) }
    }

    func testRecordsReadBackFromBufferAndDisk() {
        var log = ParentLog()
        let n = 3 * ParentLog.bufferRecords + 17
        fill(&log, n)
        XCTAssertFalse(log.inMemory, "the temporary file could not be created")
        XCTAssertEqual(log.diskBytes, 3 * ParentLog.bufferRecords * ParentLog.recordBytes)
        check(&log, n)
    }

    func testFullDiskMovesTheRestToMemory() {
        // The limit cuts a record in two: its first bytes are on disk, the whole record in memory.
        var log = ParentLog()
        log.writeLimit = ParentLog.bufferRecords * ParentLog.recordBytes + 7
        let n = 4 * ParentLog.bufferRecords + 5
        fill(&log, n)
        XCTAssertTrue(log.inMemory)
        XCTAssertEqual(log.diskBytes, (ParentLog.bufferRecords + 1) * ParentLog.recordBytes)
        XCTAssertGreaterThan(log.memoryBytes, (n - ParentLog.bufferRecords - 1) * ParentLog.recordBytes)
        check(&log, n)
    }

    func testNoFile() {
        var log = ParentLog(onDisk: false)
        fill(&log, ParentLog.bufferRecords + 3)
        XCTAssertTrue(log.inMemory)
        XCTAssertEqual(log.diskBytes, 0)
        check(&log, ParentLog.bufferRecords + 3)
    }
}

/// Breadth-first levels are stored packed (`PackedNodes`: the 64-byte blocks that differ from the
/// record packed before, the first from the initial node): every record must come back byte for
/// byte when unpacked in order, whatever differs — nothing, the last (short) block, every block —
/// and across the block's growth and a `removeAll`; for the search's `Node`, and for records long
/// enough that the block bitmap takes several words.
final class PackedNodesTests: XCTestCase {
    /// Packs `n` records derived from `tmpl`, unpacks them in order and compares.
    func roundTrip<R>(template tmpl: UnsafePointer<R>, n: Int, stream: UInt64,
                      file: StaticString = #filePath, line: UInt = #line) {
        let stride = MemoryLayout<R>.stride
        var rng = SplitMix64(stream: stream)
        var packed = PackedNodes<R>(template: tmpl)
        let nodes = UnsafeMutableRawPointer.allocate(byteCount: n * stride, alignment: 64)
        defer { nodes.deallocate() }
        let count = stride / 8
        for i in 0..<n {
            let p = nodes + i * stride
            p.copyMemory(from: tmpl, byteCount: stride)
            let words = p.assumingMemoryBound(to: UInt64.self)
            switch i % 6 {
            case 0: break                                                   // the template itself
            case 1: words[count - 1] ^= 1                                   // the last word only
            case 2: for j in 0..<count { words[j] = rng.next() }            // every word
            case 3: words[min(count - 1, 64 * 8 + 3)] ^= 1 << 40            // a block past the first bitmap word
            default: for _ in 0..<(1 + i % 40) { words[Int(rng.next() % UInt64(count))] = rng.next() }
            }
            packed.append(p.assumingMemoryBound(to: R.self))
        }
        XCTAssertEqual(packed.count, n, file: file, line: line)
        XCTAssertGreaterThan(packed.capacityBytes, 1 << 16, "the block grew", file: file, line: line)
        let out = UnsafeMutableRawPointer.allocate(byteCount: stride, alignment: 64)
        defer { out.deallocate() }
        var at = 0
        for i in 0..<n {
            at = packed.unpack(at: at, into: out.assumingMemoryBound(to: R.self))
            XCTAssertEqual(memcmp(out, nodes + i * stride, stride), 0, "record \(i)", file: file, line: line)
        }
        XCTAssertEqual(at, packed.used, "every packed word read", file: file, line: line)
        // A word read in place is the record's, or nil when its block was not packed (the same
        // as the record before's); the first record's first word against the template.
        at = 0
        var peeked = 0
        for i in 0..<n {
            let rec = (nodes + i * stride).assumingMemoryBound(to: UInt64.self)
            let before = i == 0 ? UnsafeRawPointer(tmpl).assumingMemoryBound(to: UInt64.self)
                                : UnsafeRawPointer(nodes + (i - 1) * stride).assumingMemoryBound(to: UInt64.self)
            for j in [0, count / 2, count - 1] {
                if let v = packed.word(j, ofRecordAt: at) { XCTAssertEqual(v, rec[j], file: file, line: line); peeked += 1 }
                else { XCTAssertEqual(before[j], rec[j], "record \(i) word \(j)", file: file, line: line) }
            }
            at = packed.unpack(at: at, into: out.assumingMemoryBound(to: R.self))
        }
        XCTAssertGreaterThan(peeked, n / 2, file: file, line: line)
        // After removeAll, the first record is packed against the template again, and unpacked
        // onto it whatever the node holds.
        packed.removeAll()
        packed.append((nodes + 1 * stride).assumingMemoryBound(to: R.self))
        XCTAssertEqual(packed.used, packed.maskWords + (count - (packed.blocks - 1) * 8), file: file, line: line)
        memset(out, 0xA5, stride)
        _ = packed.unpack(at: 0, into: out.assumingMemoryBound(to: R.self))
        XCTAssertEqual(memcmp(out, nodes + 1 * stride, stride), 0, file: file, line: line)
        // The template packs to its bitmap alone; a one-word change to one block (the last).
        var small = PackedNodes<R>(template: tmpl)
        small.append(tmpl)
        XCTAssertEqual(small.used, small.maskWords, file: file, line: line)
        small.append((nodes + 1 * stride).assumingMemoryBound(to: R.self))
        XCTAssertEqual(small.used, 2 * small.maskWords + (count - (small.blocks - 1) * 8), file: file, line: line)
    }

    func testUnpackGivesBackEveryByte() {
        typealias Node = Explorer.Node
        let tmpl = UnsafeMutablePointer<Node>.allocate(capacity: 1)
        defer { tmpl.deallocate() }
        tmpl.initialize(to: Node(world: World(config: WorldConfig()), mask: 0, id: 0, depth: 0))
        let p = PackedNodes<Node>(template: tmpl)
        XCTAssertEqual(p.words * 8, MemoryLayout<Node>.stride)
        roundTrip(template: tmpl, n: 3_000, stream: 17)
    }

    struct Record577 { var w = InlineArray<577, UInt64>(repeating: 0) }     // 73 blocks, the last of 1 word
    struct Record1025 { var w = InlineArray<1025, UInt64>(repeating: 0) }   // 129 blocks

    /// Records of 4,616 and 8,200 bytes: 73 and 129 blocks, so 2 and 3 bitmap words (the search's
    /// `Node` needs one today), with a short last block in the first.
    func testRecordsWithSeveralBitmapWords() {
        var rng = SplitMix64(stream: 23)
        func run<R>(_ r: R) {
            let tmpl = UnsafeMutablePointer<R>.allocate(capacity: 1)
            defer { tmpl.deallocate() }
            tmpl.initialize(to: r)
            let raw = UnsafeMutableRawPointer(tmpl)
            for j in 0..<MemoryLayout<R>.stride / 8 {
                raw.storeBytes(of: j % 3 == 0 ? 0 : rng.next(), toByteOffset: j * 8, as: UInt64.self)
            }
            let p = PackedNodes<R>(template: tmpl)
            XCTAssertGreaterThan(p.maskWords, 1)
            roundTrip(template: tmpl, n: 1_500, stream: UInt64(MemoryLayout<R>.stride))
        }
        run(Record577())
        run(Record1025())
    }
}
