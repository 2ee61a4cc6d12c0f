#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The canonical form of a `World` for the exhaustive checker (`Explorer`): two worlds with the
/// same canonical form have the same future — the same enabled steps, the same successors up to
/// canonical form, the same verdicts — and differ at most in what violation messages print (step
/// numbers, retry counts, and which of two retrying actors a livelock verdict names: it names
/// the one with the most retries). What is left out or rewritten, and why that is sound:
///
/// - `now` (the ghost clock) is left out, and every stored timestamp that the model compares
///   (SRCU read-section starts, a `synchronize_srcu` caller's `syncFrom`, the `unpublishedAt` of
///   memslot objects and containers) is replaced by its rank among the stored timestamps. The
///   model only compares them with `<` against each other and against later values of `now`,
///   which exceed every stored one, so ranks keep every comparison's outcome.
/// - `syncFrom` is set by each `kvm_swap_active_memslots` step and read by the `synchronize_srcu`
///   that follows within the same memslot operation (under `reuse-inactive-before-sync` with
///   another step in between); it is written (ranked) while its actor is in flight and counts as
///   0 when the actor is idle, when it is dead until the next swap sets it.
/// - `lookupAt` and `HostPTE.changedAt` are read only by violation messages: left out.
/// - `retries` is read by the model only as `retries > 0` (liveness classification), so it is
///   clipped to 1; without that a fault that retries while an invalidation stalls makes the
///   state space infinite.
/// - The world's constants (sizes, variant, fixes, quirks, APIC page, actor kinds) are equal
///   in every state of one search and left out. `violation`, `mapDirty` and `ctrDirty` are
///   nil/false in every state the search stores.
///
/// Everything else is written as is. `ExplorerTests` checks with `Mirror` that every
/// stored property of `World` and its parts is either written here or listed above, so a new
/// field cannot be forgotten silently.
///
/// A sink is copied into a local for each component and back (so that its fields stay in
/// registers): it should be a plain value (like `BufferSink`), not a copy-on-write collection.
public protocol CanonicalSink {
    mutating func put(_ w: UInt64)
}

public enum Canonical {
    /// The fields the canonical form writes (some rewritten: ranks, clipped retries), by type.
    public static let written: [String: Set<String>] = [
        "World": ["seq", "inProgress", "rangeStart", "rangeEnd", "mnActive", "mmuWriter", "mmuReaders",
                  "slotsLockHolder", "active", "nextIncarnation", "nextPfn", "apicvInhibited", "apicZapPending",
                  "generation", "privateGfns", "hostHuge", "hostBusy", "hostBusyUnmap", "objs", "containers", "host", "freed",
                  "roots", "actors", "gmemPfn", "gmemInvalidateLock", "gmemReleased", "gmemDying", "gpc", "mnEndCount",
                  "gmemPoison", "gmemPoisonHandled", "nxHugePages", "nxList", "nxCount", "nxWatch", "dirtyLogSlots",
                  "nxPagesTDP", "nxPagesShadow", "tlbStale"],
        "PfnCache": ["onList", "active", "valid", "gfn", "uhva", "generation", "pfn", "writer", "readers",
                     "refreshLock"],
        "Actor": ["pc", "a0", "a1", "a2", "a3", "slotObj", "newObj", "invalidObj", "container", "hva", "level",
                  "root", "phase", "cursor", "lo", "hi", "flagA", "flagB", "found", "signalPending", "counted",
                  "tlbFlush", "retries", "pfn", "addedLo", "addedHi", "mmuSeq", "hostVersion", "srcuStart", "syncFrom"],
        "Root": ["state", "refs", "scheduledToZap", "hasPT", "nxDisallowed", "leaf", "huge"],
        "SPTE": ["bits", "pfn", "hva", "incarnation", "mmioGen"],
        "HostPTE": ["pfn", "version"],
        "MemslotObj": ["state", "id", "base", "npages", "uaddr", "flags", "mixed", "incarnation", "unpublishedAt"],
        "Container": ["slot", "insertion", "unpublishedAt"],
    ]
    /// The fields the canonical form leaves out on purpose (see above), by type.
    public static let omitted: [String: Set<String>] = [
        "World": ["gfnCount", "hvaCount", "variant", "zapAllOnSlotChange", "gmemMmap", "mirrorTDP", "gmemInitShared", "adBits", "apicGfn", "apicObj", "fixes",
                  "now", "violation", "mapDirty", "ctrDirty"],
        "Actor": ["kind", "lookupAt"],
        "HostPTE": ["changedAt"],
    ]

    /// An SPTE in one word (0 for the default, empty SPTE).
    @inline(__always) static func packed(_ s: SPTE) -> UInt64 {
        UInt64(s.bits) | UInt64(s.pfn) << 8 | UInt64(s.hva) << 24 | UInt64(s.incarnation) << 32
            | UInt64(s.mmioGen) << 40
    }
}

/// The timestamps the canonical form ranks, sorted (see `Canonical`). Methods are mutating so
/// that reads of `ts` happen in place (a borrowed `InlineArray` is copied on subscript reads).
struct Ranks {
    var ts = InlineArray<40, UInt32>(repeating: 0)
    var n = 0

    @inline(__always) mutating func note(_ t: UInt32) {
        guard t != 0 else { return }
        var i = 0
        while i < n && ts[i] < t { i += 1 }
        if i < n && ts[i] == t { return }
        var j = n
        while j > i { ts[j] = ts[j - 1]; j -= 1 }
        ts[i] = t
        n += 1
    }
    @inline(__always) mutating func rank(_ t: UInt32) -> UInt64 {
        guard t != 0 else { return 0 }
        var i = 0
        while ts[i] != t { i += 1 }
        return UInt64(i + 1)
    }
    @inline(__always) mutating func same(as o: UnsafeMutablePointer<Ranks>) -> Bool {
        guard n == o.pointee.n else { return false }
        for i in 0..<n where ts[i] != o.pointee.ts[i] { return false }
        return true
    }
}

/// The canonical form is written in components, each self-delimiting, always in this order:
/// 0 the `struct kvm` fields, guest_memfd, the pfn cache and the freed bitmap; 1 the memslot
/// objects and containers; 2..5 the host PTEs, 16 per component; 6..9 the TDP roots; 10..22 the
/// actors. The fingerprint hashes each component on its own and adds the hashes, so that a
/// successor re-hashes only the components whose bytes differ from its parent's
/// (`fingerprint(salt:scratch:comps:parent:)`).
public enum CanonicalComponents {
    public static let count = 23
    static let objects = 1, host = 2, hostChunks = 4, roots = 6, actors = 10
    /// Components whose words hold timestamp ranks (they change when the rank table does).
    static let ranked: UInt32 = 1 << 1 | ((1 << 13) - 1) << 10

    /// The byte ranges of `World` that each component is written from, trimmed to the storage
    /// a world of this size uses (`ranges(for:)`); a successor re-hashes a component only when
    /// these bytes differ from its parent's (`dirtyComponents`).
    struct Ranges {
        /// (offset, length, component bit) in bytes, grouped by component; the actors are not in
        /// it (`dirtyComponents` compares them inline).
        var list: UnsafeMutablePointer<(Int, Int, UInt32)>
        var count: Int
        /// Groups of `list`: (offset, length, first, count). A group with a length is compared
        /// whole first (one call for the host PTEs, one for the roots: most transitions change
        /// neither), and its ranges only when it differs; one without is its ranges.
        var groups: UnsafeMutablePointer<(Int, Int, Int, Int)>
        var groupCount: Int
        /// Where the actors and the ranked timestamps are (`World.sameTimestamps`): stored here,
        /// not in static properties (each read of one is a `swift_once` call).
        var actors = 0, actorStride = 0, actorSize = 0
        var objs = 0, objStride = 0, containers = 0, containerStride = 0
        var srcuStart = 0, syncFrom = 0, pc = 0
    }

    /// The ranges for worlds shaped like `w` (sizes and APIC page are constant in a search):
    /// - component 0: every byte of `World` up to the end of `actors` that no other component's
    ///   (untrimmed) storage covers, so each field it reads is in it wherever the compiler puts
    ///   it; the fields after `actors` (`now`, `violation`, `mapDirty`, `ctrDirty`) are the only
    ///   ones left out, and the canonical form does not read them;
    /// - 1: the memslot objects and the containers;
    /// - 2..5: 16 host PTEs each, cut at the host entries the world uses (`canonicalComponent`
    ///   reads no further);
    /// - 6..9: a root's header fields, its first `mappedGfns` leaf SPTEs and first
    ///   `mappedBlocks` huge ones;
    /// - 10..22: one actor each, whole (not in the list: `dirtyComponents` compares the actors
    ///   itself, in blocks around the one that stepped).
    /// Bytes compared that the canonical form does not read (ghost fields such as
    /// `HostPTE.changedAt`, `Actor.lookupAt`, unclipped `retries`, padding) only re-hash a
    /// component whose hash comes out the same: the result is still exactly the full
    /// computation's.
    static func ranges(for w: World) -> Ranges {
        var out: [(Int, Int, UInt32)] = []
        func add(_ k: Int, _ off: Int, _ len: Int) { if len > 0 { out.append((off, len, 1 << UInt32(k))) } }
        let objsAt = MemoryLayout<World>.offset(of: \World.objs)!
        let objsLen = MemoryLayout<InlineArray<12, MemslotObj>>.size
        let contAt = MemoryLayout<World>.offset(of: \World.containers)!
        let contLen = MemoryLayout<InlineArray<2, Container>>.size
        let hostAt = MemoryLayout<World>.offset(of: \World.host)!
        let hostLen = MemoryLayout<InlineArray<64, HostPTE>>.size
        let rootsAt = MemoryLayout<World>.offset(of: \World.roots)!
        let rootsLen = MemoryLayout<InlineArray<4, Root>>.size
        let actorsAt = MemoryLayout<World>.offset(of: \World.actors)!
        let actorsLen = MemoryLayout<InlineArray<13, Actor>>.size
        let end = actorsAt + actorsLen
        // Component 0: the complement of the others' whole storage, below `end`.
        let taken = [(objsAt, objsLen), (contAt, contLen), (hostAt, hostLen), (rootsAt, rootsLen), (actorsAt, actorsLen)]
            .sorted { $0.0 < $1.0 }
        var at = 0
        for (o, l) in taken {
            add(0, at, o - at)
            at = max(at, o + l)
        }
        // `Ranks` holds every distinct timestamp: two per actor, one per object, one per set.
        precondition(2 * Cap.actors + Cap.objects + 2 <= 40, "Ranks.ts is too small for the timestamps")
        precondition(at == end && MemoryLayout<InlineArray<64, HostPTE>>.size == Cap.hvas * MemoryLayout<HostPTE>.stride
                     && MemoryLayout<InlineArray<4, Root>>.size == Cap.roots * MemoryLayout<Root>.stride
                     && MemoryLayout<InlineArray<13, Actor>>.size == Cap.actors * MemoryLayout<Actor>.stride
                     && MemoryLayout<InlineArray<32, SPTE>>.size == Cap.gfns * MemoryLayout<SPTE>.stride
                     && MemoryLayout<InlineArray<8, SPTE>>.size == Cap.blocks * MemoryLayout<SPTE>.stride)
        add(objects, objsAt, objsLen)
        add(objects, contAt, contLen)
        let hostUsed = min(Cap.hvas, w.apicGfn >= 0 ? w.hvaCount + 1 : w.hvaCount)
        let pte = MemoryLayout<HostPTE>.stride
        for k in 0..<hostChunks {
            let lo = k * 16, hi = min(lo + 16, hostUsed)
            add(host + k, hostAt + lo * pte, max(0, hi - lo) * pte)
        }
        let leafAt = MemoryLayout<Root>.offset(of: \Root.leaf)!
        let hugeAt = MemoryLayout<Root>.offset(of: \Root.huge)!
        let spte = MemoryLayout<SPTE>.stride
        let leafEnd = leafAt + MemoryLayout<InlineArray<32, SPTE>>.size
        let hugeEnd = hugeAt + MemoryLayout<InlineArray<8, SPTE>>.size
        for r in 0..<Cap.roots {
            let base = rootsAt + r * MemoryLayout<Root>.stride
            // The header: everything outside the two SPTE arrays.
            var pieces: [(Int, Int)] = []
            let arrays = [(leafAt, leafEnd), (hugeAt, hugeEnd)].sorted { $0.0 < $1.0 }
            var p = 0
            for (a, b) in arrays { pieces.append((p, a - p)); p = b }
            pieces.append((p, MemoryLayout<Root>.size - p))
            for (o, l) in pieces { add(roots + r, base + o, l) }
            add(roots + r, base + leafAt, min(w.mappedGfns, Cap.gfns) * spte)
            add(roots + r, base + hugeAt, min(w.mappedBlocks, Cap.blocks) * spte)
        }
        // Actors (10..22): compared inline (`actorBytesDiffer`, for an `Actor` of 56 to 64 bytes:
        // today's is 60; memcmp for any other size).
        // Adjacent ranges of one component merge.
        var merged: [(Int, Int, UInt32)] = []
        for (o, l, bit) in out.sorted(by: { ($0.2, $0.0) < ($1.2, $1.0) }) {
            if let last = merged.last, last.2 == bit, last.0 + last.1 >= o {
                merged[merged.count - 1].1 = max(last.0 + last.1, o + l) - last.0
            } else {
                merged.append((o, l, bit))
            }
        }
        let m = UnsafeMutablePointer<(Int, Int, UInt32)>.allocate(capacity: merged.count)
        m.initialize(from: merged, count: merged.count)
        let hostBits: UInt32 = ((1 << UInt32(hostChunks)) - 1) << UInt32(host)
        let rootBits: UInt32 = ((1 << UInt32(Cap.roots)) - 1) << UInt32(roots)
        var groups: [(Int, Int, Int, Int)] = []
        var i = 0
        while i < merged.count {
            let bit = merged[i].2
            let whole: (UInt32, Int, Int)? = hostBits & bit != 0 ? (hostBits, hostAt, hostUsed * pte)
                : rootBits & bit != 0 ? (rootBits, rootsAt, rootsLen) : nil
            var j = i + 1
            if let (bits, _, _) = whole { while j < merged.count && bits & merged[j].2 != 0 { j += 1 } }
            groups.append((whole?.1 ?? 0, whole?.2 ?? 0, i, j - i))
            i = j
        }
        let g = UnsafeMutablePointer<(Int, Int, Int, Int)>.allocate(capacity: groups.count)
        g.initialize(from: groups, count: groups.count)
        var r = Ranges(list: m, count: merged.count, groups: g, groupCount: groups.count)
        r.actors = actorsAt
        r.actorStride = MemoryLayout<Actor>.stride
        r.actorSize = MemoryLayout<Actor>.size
        r.objs = objsAt + MemoryLayout<MemslotObj>.offset(of: \MemslotObj.unpublishedAt)!
        r.objStride = MemoryLayout<MemslotObj>.stride
        r.containers = contAt + MemoryLayout<Container>.offset(of: \Container.unpublishedAt)!
        r.containerStride = MemoryLayout<Container>.stride
        r.srcuStart = MemoryLayout<Actor>.offset(of: \Actor.srcuStart)!
        r.syncFrom = MemoryLayout<Actor>.offset(of: \Actor.syncFrom)!
        r.pc = MemoryLayout<Actor>.offset(of: \Actor.pc)!
        return r
    }

    /// Whether the `size` (56...64) bytes of an actor at `x` and `y` differ: fixed-size loads, no
    /// call (the last load overlaps the one before it when `size` < 64).
    @inline(__always) static func actorBytesDiffer(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, size: Int) -> Bool {
        typealias V = SIMD2<UInt64>
        var v = x.loadUnaligned(as: V.self) ^ y.loadUnaligned(as: V.self)
        v |= x.loadUnaligned(fromByteOffset: 16, as: V.self) ^ y.loadUnaligned(fromByteOffset: 16, as: V.self)
        v |= x.loadUnaligned(fromByteOffset: 32, as: V.self) ^ y.loadUnaligned(fromByteOffset: 32, as: V.self)
        var t = v[0] | v[1]
        t |= x.loadUnaligned(fromByteOffset: 48, as: UInt64.self) ^ y.loadUnaligned(fromByteOffset: 48, as: UInt64.self)
        t |= x.loadUnaligned(fromByteOffset: size - 8, as: UInt64.self) ^ y.loadUnaligned(fromByteOffset: size - 8, as: UInt64.self)
        return t != 0
    }

    /// The components (bits) whose bytes differ between two worlds; `stepped`, when not -1, is
    /// an actor whose step made `x` from `y`: its component is taken as changed (it is, but for
    /// a step that leaves its record as it was: re-hashed for nothing), and the other actors are
    /// compared as the two blocks on either side of it first.
    @inline(__always) static func dirtyComponents(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, _ r: Ranges, stepped: Int) -> UInt32 {
        var dirty: UInt32 = 0
        for gi in 0..<r.groupCount {
            let (go, gl, first, n) = r.groups[gi]
            if gl > 0 && memcmp(x + go, y + go, gl) == 0 { continue }
            for i in first..<(first + n) {
                let (o, l, bit) = r.list[i]
                if dirty & bit == 0 && memcmp(x + o, y + o, l) != 0 { dirty |= bit }
            }
        }
        @inline(__always) func actorsDiffer(_ lo: Int, _ hi: Int) {
            guard lo < hi else { return }
            if hi - lo > 1 {
                let at = r.actors + lo * r.actorStride
                if memcmp(x + at, y + at, (hi - lo - 1) * r.actorStride + r.actorSize) == 0 { return }
            }
            for a in lo..<hi {
                let at = r.actors + a * r.actorStride
                if r.actorSize >= 56 && r.actorSize <= 64 ? actorBytesDiffer(x + at, y + at, size: r.actorSize) : memcmp(x + at, y + at, r.actorSize) != 0 {
                    dirty |= 1 << UInt32(actors + a)
                }
            }
        }
        if stepped >= 0 {
            dirty |= 1 << UInt32(actors + stepped)
            actorsDiffer(0, stepped)
            actorsDiffer(stepped + 1, Cap.actors)
        } else {
            actorsDiffer(0, Cap.actors)
        }
        return dirty
    }

    /// The hash of component `k`'s words, and the fingerprint of a set of component hashes.
    @inline(__always) static func hash(_ k: Int, _ p: UnsafePointer<UInt64>, _ n: Int) -> UInt64 {
        XXHash64Words.hash(p, n, salt: UInt64(k) &* 0xD6E8_FEB8_6659_FD93)
    }
    @inline(__always) static func combine(_ comps: UnsafePointer<UInt64>, salt: UInt64) -> UInt64 {
        var h = salt &* 0x9E37_79B9_7F4A_7C15
        for k in 0..<count { h &+= comps[k] }
        // SplitMix64's finalizer.
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}

extension World {

    /// The compared timestamps, sorted (their ranks replace them in the canonical form).
    @inline(__always) mutating func ranks() -> Ranks {
        var r = Ranks()
        for a in 0..<Cap.actors {
            r.note(self.actors[a].srcuStart)
            if self.actors[a].pc != .idle { r.note(self.actors[a].syncFrom) }
        }
        for o in 0..<Cap.objects { r.note(self.objs[o].unpublishedAt) }
        for c in 0..<2 { r.note(self.containers[c].unpublishedAt) }
        return r
    }

    /// Write the canonical form of this world to `sink` (see `Canonical`): every component in
    /// order.
    public mutating func canonical<S: CanonicalSink>(into sink: inout S) {
        var r = ranks()
        for k in 0..<CanonicalComponents.count { canonicalComponent(k, &r, into: &sink) }
    }

    /// Write component `k` of the canonical form (see `CanonicalComponents`).
    @inline(never)
    mutating func canonicalComponent<S: CanonicalSink>(_ k: Int, _ ranks: UnsafeMutablePointer<Ranks>, into out: inout S) {
        // A local copy: its fields stay in registers (the buffer's stores cannot alias them).
        var sink = out
        defer { out = sink }
        @inline(__always) func rank(_ t: UInt32) -> UInt64 { ranks.pointee.rank(t) }
        switch k {
        case 0:
            // struct kvm: invalidation state, locks, memslot sets, attributes, APICv.
            sink.put(self.seq)
            sink.put(UInt64(bitPattern: self.inProgress))
            sink.put(UInt64(self.rangeStart) | UInt64(self.rangeEnd) << 16 | UInt64(UInt32(bitPattern: self.mnActive)) << 32)
            sink.put(UInt64(self.mmuWriter) | UInt64(self.mmuReaders) << 8 | UInt64(self.slotsLockHolder) << 16
                | UInt64(self.active) << 24 | UInt64(self.nextIncarnation) << 32 | UInt64(self.nextPfn) << 40
                | (self.apicvInhibited ? 1 << 56 : 0) | (self.apicZapPending ? 1 << 57 : 0))
            sink.put(self.generation)
            sink.put(UInt64(self.privateGfns) | UInt64(self.hostHuge) << 32 | UInt64(self.hostBusy) << 48)
            // guest_memfd: the folio pfns (gfns past the world's size are never written), lock, release.
            var gm: UInt64 = UInt64(self.gmemInvalidateLock) | (self.gmemReleased ? 1 << 8 : 0) | (self.gmemDying ? 1 << 9 : 0)
                | UInt64(self.hostBusyUnmap) << 48
            for g in 0..<gfnCount where self.gmemPfn[g] != 0 { gm |= 1 << UInt64(g + 16) }
            sink.put(gm)
            for g in 0..<gfnCount where self.gmemPfn[g] != 0 { sink.put(UInt64(self.gmemPfn[g])) }
            sink.put(UInt64(self.gmemPoison) | UInt64(self.gmemPoisonHandled) << 32)
            // NX huge pages: the parameter, nr_memslots_dirty_logging, the watches, the list in order.
            sink.put((self.nxHugePages ? 1 : 0) | UInt64(self.dirtyLogSlots) << 8 | UInt64(self.nxCount) << 16
                | UInt64(self.nxWatch[0]) << 24 | UInt64(self.nxWatch[1]) << 32 | UInt64(self.nxWatch[2]) << 40
                | UInt64(self.nxPagesTDP) << 48 | UInt64(self.nxPagesShadow) << 56)
            var i = 0
            while i < Int(self.nxCount) {
                var word: UInt64 = 0
                for j in 0..<8 where i + j < Int(self.nxCount) { word |= UInt64(self.nxList[i + j]) << UInt64(8 * j) }
                sink.put(word)
                i += 8
            }
            // The gfn_to_pfn_cache.
            let c = self.gpc
            sink.put((c.onList ? 1 : 0) | (c.active ? 2 : 0) | (c.valid ? 4 : 0) | UInt64(self.mnEndCount) << 3
                | UInt64(c.gfn) << 8 | UInt64(c.uhva) << 16 | UInt64(c.pfn) << 24 | UInt64(c.writer) << 40
                | UInt64(c.readers) << 48 | UInt64(c.refreshLock) << 56)
            sink.put(c.generation)
            // The freed-pfn bitmap's non-zero words behind a bitmap of them.
            var fmask: UInt64 = 0
            for i in 0..<min(Cap.pfnWords, Int(nextPfn) / 64 + 1) where self.freed[i] != 0 { fmask |= 1 << UInt64(i) }
            sink.put(fmask)
            var m = fmask
            while m != 0 {
                let i = m.trailingZeroBitCount
                m &= m - 1
                sink.put(self.freed[i])
            }
            // The TLB ghost: the gfns with a stale translation behind a bitmap, then their pfns.
            var tmask: UInt64 = 0
            for g in 0..<mappedGfns where self.tlbStale[g] != 0 { tmask |= 1 << UInt64(g) }
            sink.put(tmask)
            var t = tmask
            while t != 0 {
                let g = t.trailingZeroBitCount
                t &= t - 1
                sink.put(UInt64(self.tlbStale[g]))
            }
        case CanonicalComponents.objects:
            for o in 0..<Cap.objects {
                let x = self.objs[o]
                sink.put(UInt64(x.state.rawValue) | UInt64(x.id) << 8 | UInt64(x.base) << 16 | UInt64(x.npages) << 24
                    | UInt64(x.uaddr) << 32 | UInt64(x.flags) << 40 | UInt64(x.mixed) << 48 | UInt64(x.incarnation) << 56)
                sink.put(rank(x.unpublishedAt))
            }
            for c in 0..<2 {
                let x = self.containers[c]
                sink.put(UInt64(x.slot[0]) | UInt64(x.slot[1]) << 8 | UInt64(x.slot[2]) << 16 | UInt64(x.insertion) << 24
                         | rank(x.unpublishedAt) << 32)
            }
        case CanonicalComponents.host..<(CanonicalComponents.host + CanonicalComponents.hostChunks):
            // Host mm: 16 PTEs, the non-empty ones behind a bitmap. Storage past the world's
            // sizes is never written (every index is reduced modulo the world's size; the APIC
            // page is the one entry past them): it is not scanned.
            let lo = (k - CanonicalComponents.host) * 16
            let hi = min(lo + 16, min(Cap.hvas, apicGfn >= 0 ? hvaCount + 1 : hvaCount))
            var hmask: UInt64 = 0
            // Scans read through typed pointers: no bounds checks, no copies.
            withUnsafePointer(to: &self.host) {
                $0.withMemoryRebound(to: HostPTE.self, capacity: Cap.hvas) { p in
                    if lo < hi {
                        for h in lo..<hi where p[h].pfn != 0 || p[h].version != 0 { hmask |= 1 << UInt64(h - lo) }
                    }
                    sink.put(hmask)
                    var m = hmask
                    while m != 0 {
                        let h = lo + m.trailingZeroBitCount
                        m &= m - 1
                        sink.put(UInt64(p[h].pfn) | UInt64(p[h].version) << 16)
                    }
                }
            }
        case CanonicalComponents.roots..<CanonicalComponents.actors:
            // A TDP MMU root: header, then the non-empty SPTEs behind a bitmap. A free root's
            // SPTEs are never read (kvm_tdp_mmu_alloc_root, `loadRoot`, resets them): not written.
            let r = k - CanonicalComponents.roots
            let gfnsUsed = mappedGfns, blocksUsed = mappedBlocks
            var smask: UInt64 = 0
            if self.roots[r].state != .free {
                withUnsafePointer(to: &self.roots[r].leaf) {
                    $0.withMemoryRebound(to: SPTE.self, capacity: Cap.gfns) { p in
                        for g in 0..<gfnsUsed where Canonical.packed(p[g]) != 0 { smask |= 1 << UInt64(g) }
                    }
                }
                withUnsafePointer(to: &self.roots[r].huge) {
                    $0.withMemoryRebound(to: SPTE.self, capacity: Cap.blocks) { p in
                        for b in 0..<blocksUsed where Canonical.packed(p[b]) != 0 { smask |= 1 << UInt64(32 + b) }
                    }
                }
            }
            sink.put(UInt64(self.roots[r].state.rawValue) | UInt64(self.roots[r].refs) << 8
                | (self.roots[r].scheduledToZap ? 1 << 16 : 0) | UInt64(self.roots[r].hasPT) << 24
                | UInt64(self.roots[r].nxDisallowed) << 32)
            sink.put(smask)
            var m = smask
            while m != 0 {
                let i = m.trailingZeroBitCount
                m &= m - 1
                sink.put(i < 32 ? Canonical.packed(self.roots[r].leaf[i]) : Canonical.packed(self.roots[r].huge[i - 32]))
            }
        default:
            let a = k - CanonicalComponents.actors
            let x = self.actors[a]
            sink.put(UInt64(x.pc.rawValue) | UInt64(x.a0) << 8 | UInt64(x.a1) << 16 | UInt64(x.a2) << 24
                | UInt64(x.a3) << 32 | UInt64(x.slotObj) << 40 | UInt64(x.newObj) << 48 | UInt64(x.invalidObj) << 56)
            sink.put(UInt64(x.container) | UInt64(x.hva) << 8 | UInt64(x.level) << 16 | UInt64(x.root) << 24
                | UInt64(x.phase) << 32 | UInt64(x.cursor) << 40 | UInt64(x.lo) << 48 | UInt64(x.hi) << 56)
            let flags: UInt64 = (x.flagA ? 1 : 0) | (x.flagB ? 2 : 0) | (x.found ? 4 : 0)
                | (x.signalPending ? 8 : 0) | (x.counted ? 16 : 0) | (x.retries > 0 ? 32 : 0)
                | UInt64(x.tlbFlush & 3) << 6
            // tlbFlush's third bit (TLBFlush.earlierRoots, a variant's) in bit 56.
            sink.put(flags | UInt64(x.pfn) << 8 | UInt64(x.addedLo) << 24 | UInt64(x.addedHi) << 40
                | UInt64(x.tlbFlush & 4) << 54)
            sink.put(x.mmuSeq)
            sink.put(UInt64(x.hostVersion) | rank(x.srcuStart) << 32 | (x.pc != .idle ? rank(x.syncFrom) : 0) << 48)
        }
    }

    /// Hash component `k` (its words go through `scratch`).
    @inline(__always) mutating func componentHash(_ k: Int, _ ranks: UnsafeMutablePointer<Ranks>, _ scratch: UnsafeMutablePointer<UInt64>) -> UInt64 {
        var b = BufferSink(scratch)
        canonicalComponent(k, ranks, into: &b)
        return CanonicalComponents.hash(k, scratch, b.n)
    }

    /// The 64-bit fingerprint of the canonical form: the components' hashes (xxHash64's lanes
    /// over each one's words, seeded by its index) added, mixed with `salt`. Fills `comps`
    /// (`CanonicalComponents.count` words) and `ranks` for `fingerprint(salt:scratch:comps:ranks:parent:)`.
    /// `scratch`: `BufferSink.capacity` words.
    @inline(never)
    mutating func fingerprint(salt: UInt64, scratch: UnsafeMutablePointer<UInt64>, comps: UnsafeMutablePointer<UInt64>,
                              ranks: UnsafeMutablePointer<Ranks>) -> UInt64 {
        ranks.pointee = self.ranks()
        for k in 0..<CanonicalComponents.count { comps[k] = componentHash(k, ranks, scratch) }
        return CanonicalComponents.combine(comps, salt: salt)
    }

    /// The same, given a `parent` whose component hashes and timestamp order `comps` and
    /// `ranks` hold on entry (they are updated to this world's): only the components whose bytes
    /// differ from the parent's (`CanonicalComponents.ranges`; and, when the timestamps' order
    /// changed, the ranked ones) are hashed again. The result is exactly the full computation's
    /// (`IncrementalFingerprintTests` checks).
    @inline(never)
    mutating func fingerprint(salt: UInt64, scratch: UnsafeMutablePointer<UInt64>, comps: UnsafeMutablePointer<UInt64>,
                              ranks: UnsafeMutablePointer<Ranks>, parent: UnsafeMutablePointer<World>,
                              ranges: CanonicalComponents.Ranges, stepped: Int = -1) -> UInt64 {
        var redo: UInt32 = withUnsafePointer(to: &self) { CanonicalComponents.dirtyComponents($0, parent, ranges, stepped: stepped) }
        if redo & CanonicalComponents.ranked != 0 && !sameTimestamps(as: parent, redo, ranges) {
            var r = self.ranks()
            if !r.same(as: ranks) {
                redo |= rankMoved(old: ranks, new: &r, except: redo)
                ranks.pointee = r
            }
        }
        var rest = redo
        while rest != 0 {
            let k = rest.trailingZeroBitCount
            rest &= rest - 1
            comps[k] = componentHash(k, ranks, scratch)
        }
        return CanonicalComponents.combine(comps, salt: salt)
    }

    /// The ranked components (bits), other than those in `except`, whose timestamps have another
    /// rank in `new` than in `old`: those must be re-hashed when the rank table changes (a
    /// timestamp that appears above all others moves no rank; one that disappears moves the
    /// ranks above it). A component not in `except` has its parent's bytes, so each of its
    /// timestamps is in both tables.
    @inline(__always) mutating func rankMoved(old: UnsafeMutablePointer<Ranks>, new: inout Ranks, except: UInt32) -> UInt32 {
        var moved: UInt32 = 0
        @inline(__always) func differs(_ t: UInt32) -> Bool { t != 0 && old.pointee.rank(t) != new.rank(t) }
        if except & (1 << UInt32(CanonicalComponents.objects)) == 0 {
            var m = false
            for o in 0..<Cap.objects where differs(self.objs[o].unpublishedAt) { m = true; break }
            if !m { for c in 0..<2 where differs(self.containers[c].unpublishedAt) { m = true; break } }
            if m { moved |= 1 << UInt32(CanonicalComponents.objects) }
        }
        for a in 0..<Cap.actors {
            let bit: UInt32 = 1 << UInt32(CanonicalComponents.actors + a)
            if except & bit != 0 { continue }
            if differs(self.actors[a].srcuStart) || (self.actors[a].pc != .idle && differs(self.actors[a].syncFrom)) {
                moved |= bit
            }
        }
        return moved
    }

    /// Whether the timestamps `ranks()` collects are the parent's, looking only where the
    /// world's bytes changed (`dirty` components): then the rank table is the parent's too.
    /// Reads through raw pointers (a borrowed `InlineArray` is copied on subscript reads).
    @inline(__always) mutating func sameTimestamps(as parent: UnsafeMutablePointer<World>, _ dirty: UInt32,
                                                   _ T: CanonicalComponents.Ranges) -> Bool {
        return withUnsafeMutablePointer(to: &self) { me in
            let x = UnsafeRawPointer(me), y = UnsafeRawPointer(parent)
            if dirty & (1 << UInt32(CanonicalComponents.objects)) != 0 {
                for o in 0..<Cap.objects {
                    let at = T.objs + o * T.objStride
                    if x.load(fromByteOffset: at, as: UInt32.self) != y.load(fromByteOffset: at, as: UInt32.self) { return false }
                }
                for c in 0..<2 {
                    let at = T.containers + c * T.containerStride
                    if x.load(fromByteOffset: at, as: UInt32.self) != y.load(fromByteOffset: at, as: UInt32.self) { return false }
                }
            }
            var rest = (dirty >> UInt32(CanonicalComponents.actors)) & ((1 << UInt32(Cap.actors)) - 1)
            while rest != 0 {
                let a = T.actors + rest.trailingZeroBitCount * T.actorStride
                rest &= rest - 1
                if x.load(fromByteOffset: a + T.srcuStart, as: UInt32.self) != y.load(fromByteOffset: a + T.srcuStart, as: UInt32.self) { return false }
                let s = x.load(fromByteOffset: a + T.pc, as: PC.self) != .idle ? x.load(fromByteOffset: a + T.syncFrom, as: UInt32.self) : 0
                let p = y.load(fromByteOffset: a + T.pc, as: PC.self) != .idle ? y.load(fromByteOffset: a + T.syncFrom, as: UInt32.self) : 0
                if s != p { return false }
            }
            return true
        }
    }

    /// The fingerprint, with buffers of its own (allocations per call: not for hot paths).
    public mutating func fingerprint(salt: UInt64 = 0) -> UInt64 {
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: BufferSink.capacity + CanonicalComponents.count)
        defer { p.deallocate() }
        var r = Ranks()
        return fingerprint(salt: salt, scratch: p, comps: p + BufferSink.capacity, ranks: &r)
    }

    /// The canonical form, whole (exact mode, tests).
    public mutating func canonicalWords() -> [UInt64] {
        // Through a buffer: `canonicalComponent` works on a local copy of its sink, which for an
        // array-backed sink would copy the array on every component.
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: BufferSink.capacity)
        defer { p.deallocate() }
        var b = BufferSink(p)
        canonical(into: &b)
        return Array(UnsafeBufferPointer(start: p, count: b.n))
    }
}

/// xxHash64's four-lane round and avalanche over a buffer of words, seeded (each canonical
/// component's hash, `CanonicalComponents.hash`).
enum XXHash64Words {
    static let p1: UInt64 = 0x9E3779B185EBCA87, p2: UInt64 = 0xC2B2AE3D27D4EB4F
    static let p3: UInt64 = 0x165667B19E3779F9, p4: UInt64 = 0x85EBCA77C2B2AE63

    @inline(__always) static func round(_ acc: UInt64, _ x: UInt64) -> UInt64 {
        var a = acc &+ x &* p2
        a = (a << 31) | (a >> 33)
        return a &* p1
    }
    @inline(__always) static func merge(_ h: UInt64, _ x: UInt64) -> UInt64 {
        let m = h ^ round(0, x)
        return ((m << 27) | (m >> 37)) &* p1 &+ p4
    }

    @inline(__always) static func hash(_ p: UnsafePointer<UInt64>, _ n: Int, salt: UInt64) -> UInt64 {
        var v1 = salt &+ p1 &+ p2, v2 = salt &+ p2, v3 = salt, v4 = salt &- p1
        var i = 0
        while i + 4 <= n {
            v1 = round(v1, p[i]); v2 = round(v2, p[i + 1])
            v3 = round(v3, p[i + 2]); v4 = round(v4, p[i + 3])
            i += 4
        }
        var h = ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57)) &+ ((v3 << 12) | (v3 >> 52)) &+ ((v4 << 18) | (v4 >> 46))
        h = h &+ UInt64(n) &* 8
        while i < n { h = merge(h, p[i]); i += 1 }
        h ^= h >> 33; h = h &* p2
        h ^= h >> 29; h = h &* p3
        h ^= h >> 32
        return h
    }
}

/// Writes the canonical words to a caller's buffer (`fingerprint`).
public struct BufferSink: CanonicalSink {
    /// More than the canonical form's longest, at the largest `Cap` sizes: component 0 has 6 +
    /// 33 (guest_memfd) + 3 + 33 (freed) words, then 26 (objects, containers) + 68 (host: 4 masks)
    /// + 4 x 42 (roots) + 60 (actors) = 397.
    public static let capacity = 512
    let p: UnsafeMutablePointer<UInt64>
    public var n = 0
    init(_ p: UnsafeMutablePointer<UInt64>) { self.p = p }
    @inline(__always) public mutating func put(_ x: UInt64) {
        p[n] = x
        n &+= 1
    }
}

