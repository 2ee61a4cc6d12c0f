/// The byte format, version 7. Every byte string decodes (empty too): fixed 3-byte records
/// `op a b`, so a one-byte change edits exactly one event; a trailing partial record is ignored;
/// at most `maxEvents` records are read. Out-of-range values wrap.
///
///   op % 16:  0-4 step   a%7 = actor, 1 + b%16 = count
///             5   b&7 selects (v2; v1 ignored b, and `faultsync migrate` zeroes it):
///                 0  recover a%3 = slot id; (v5) with b&8: one NX huge page recovery pass
///                 1  nx_huge_pages toggle; (v7) with b&8: page aging (clear_flush_young) of
///                    hva a, 1 + (b>>4)&3 pages (v6 ignored a and b>>3: `faultsync migrate` clears b&8)
///                 2  signal vcpu a&1
///                 3  step actor 7 + (a>>4)&7 (actors past the first seven), 1 + a&15 = count;
///                    (v6) actor 12 is the NX recovery thread (v5: no actor; its passes ran on 7)
///                 4  fault vcpu a&1 on the APIC access page, a&2 = prefault
///                 5  APICv a&1 ? inhibit : activate
///                 6  (v3) gfn_to_pfn_cache: a&3 = 0 use, 1 deactivate, 2 activate gfn (a>>2),
///                    3 activate hva (a>>2) (kvm_gpc_activate_hva)
///                 7  (v3) guest_memfd: a&1 = 0 punch hole gfn (a>>1), 1 + (b>>3)&7 pages;
///                    a&1 = 1 release
///             6   fault  a&1 = vcpu, a>>1 = gfn, b&1 = private, b&2 = prefault,
///                    (v5) b&4 = exec (an instruction fetch; ignored with prefault)
///             7   remap  a = hva, 1 + b%4 = pages, b&4 = not blockable
///             8   unmap  (as remap)
///             9   collapse a = hva block;  10 split a = hva block, b&4 = not blockable
///             11  create (a&3)%3 = slot id, (a>>2)&31 = base gfn, a&128 = KVM_MEM_GUEST_MEMFD (v3);
///                 b&7 + 1 = npages, b>>3 = uaddr
///             12  delete a%3;  13 move a%3, b = base gfn;  14 flags a%3, b&1 = dirty log
///             15  attr   a = first gfn, 1 + b&7 = pages, b&8 = private
/// gfns and hvas are reduced modulo the world's size (`Geometry`), so the text form shows the
/// values the model uses.
public enum ScheduleFormat {
    public static let version = 7
    public static let recordSize = 3
    public static let maxEvents = 128
    public static let maxInputBytes = recordSize * maxEvents

    @inline(__always)
    public static func decode(_ op: UInt8, _ a: UInt8, _ b: UInt8, _ g: Geometry) -> Event {
        let gfns = UInt8(g.gfns), hvas = UInt8(g.hvas), hblocks = UInt8(g.hvas / Cap.hugePages)
        switch op & 15 {
        case 0...4: return Event(kind: .step, x: a % 7, y: 1 + b % 16)
        case 5:
            switch b & 7 {
            case 1:
                if b & 8 != 0 { return Event(kind: .age, x: a % hvas, y: 1 + ((b >> 4) & 3)) }   // v7
                return Event(kind: .nxToggle)
            case 2: return Event(kind: .signal, x: a & 1)
            case 3: return Event(kind: .step, x: 7 &+ ((a >> 4) & 7), y: 1 + (a & 15))
            case 4: return Event(kind: .fault, x: a & 1, y: apicGfnMarker, f2: a & 2 != 0)
            case 5: return Event(kind: .apicv, f1: a & 1 != 0)
            case 6:
                switch a & 3 {
                case 0: return Event(kind: .gpcUse)
                case 1: return Event(kind: .gpcDeactivate)
                case 2: return Event(kind: .gpcActivate, x: (a >> 2) % gfns)
                default: return Event(kind: .gpcActivate, x: (a >> 2) % hvas, f1: true)
                }
            case 7:
                if a & 1 != 0 { return Event(kind: .gmemRelease) }
                if b & 0x40 != 0 { return Event(kind: .gmemError, x: (a >> 1) % gfns) }   // v4
                return Event(kind: .punchHole, x: (a >> 1) % gfns, y: 1 + ((b >> 3) & 7))
            default: return b & 8 != 0 ? Event(kind: .nxRecover) : Event(kind: .recover, x: a % 3)
            }
        case 6: return Event(kind: .fault, x: a & 1, y: (a >> 1) % gfns, z: b & 6 == 4 ? 1 : 0, f1: b & 1 != 0, f2: b & 2 != 0)
        case 7: return Event(kind: .remap, x: a % hvas, y: 1 + b % 4, f1: b & 4 != 0)
        case 8: return Event(kind: .unmap, x: a % hvas, y: 1 + b % 4, f1: b & 4 != 0)
        case 9: return Event(kind: .collapse, x: a % hblocks)
        case 10: return Event(kind: .split, x: a % hblocks, f1: b & 4 != 0)
        case 11: return Event(kind: .create, x: (a & 3) % 3, y: ((a >> 2) & 31) % gfns, z: 1 + (b & 7), w: (b >> 3) % hvas,
                              f2: a & 128 != 0)
        case 12: return Event(kind: .delete, x: a % 3)
        case 13: return Event(kind: .move, x: a % 3, y: b % gfns)
        case 14: return Event(kind: .flags, x: a % 3, f1: b & 1 != 0)
        default: return Event(kind: .attr, x: a % gfns, y: 1 + (b & 7), f1: b & 8 != 0)
        }
    }

    /// The canonical record of an event: `decode(encode(e)) == e` for every decoded `e`.
    public static func encode(_ e: Event) -> (UInt8, UInt8, UInt8) {
        switch e.kind {
        case .step: return e.x < 7 ? (0, e.x, e.y &- 1) : (5, ((e.x &- 7) << 4) | ((e.y &- 1) & 15), 3)
        case .nxToggle: return (5, 0, 1)
        case .age: return (5, e.x, 9 | ((e.y &- 1) & 3) << 4)
        case .signal: return (5, e.x, 2)
        case .recover: return (5, e.x, 0)
        case .nxRecover: return (5, 0, 8)
        case .fault where e.y == apicGfnMarker: return (5, (e.x & 1) | (e.f2 ? 2 : 0), 4)
        case .fault: return (6, (e.y << 1) | (e.x & 1), (e.f1 ? 1 : 0) | (e.f2 ? 2 : 0) | (e.z != 0 && !e.f2 ? 4 : 0))
        case .apicv: return (5, e.f1 ? 1 : 0, 5)
        case .gpcUse: return (5, 0, 6)
        case .gpcDeactivate: return (5, 1, 6)
        case .gpcActivate: return (5, (e.x << 2) | (e.f1 ? 3 : 2), 6)
        case .punchHole: return (5, e.x << 1, ((e.y &- 1) & 7) << 3 | 7)
        case .gmemError: return (5, e.x << 1, 0x47)
        case .gmemRelease: return (5, 1, 7)
        case .remap: return (7, e.x, (e.y &- 1) | (e.f1 ? 4 : 0))
        case .unmap: return (8, e.x, (e.y &- 1) | (e.f1 ? 4 : 0))
        case .collapse: return (9, e.x, 0)
        case .split: return (10, e.x, e.f1 ? 4 : 0)
        case .create: return (11, ((e.y & 31) << 2) | e.x | (e.f2 ? 128 : 0), (e.w << 3) | (e.z &- 1))
        case .delete: return (12, e.x, 0)
        case .move: return (13, e.x, e.y)
        case .flags: return (14, e.x, e.f1 ? 1 : 0)
        case .attr: return (15, e.x, (e.y &- 1) | (e.f1 ? 8 : 0))
        }
    }
}

/// The world sizes the decoder reduces arguments by.
public struct Geometry: Equatable, Sendable {
    public var gfns: Int
    public var hvas: Int
    public init(gfns: Int, hvas: Int) {
        self.gfns = min(max(gfns, Cap.hugePages), Cap.gfns) & ~(Cap.hugePages - 1)
        self.hvas = min(max(hvas, Cap.hugePages), Cap.hvas) & ~(Cap.hugePages - 1)
    }
    public init(_ c: WorldConfig) { self.init(gfns: c.gfnCount, hvas: c.hvaCount) }
    public static let `default` = Geometry(WorldConfig.default)
}

/// Format migration. v2 gave meaning to the `b` byte of op 5, which v1 ignored: zeroing it keeps
/// every v1 input's meaning under v2. v3 gave meaning to op-5 records with b&7 = 6 or 7 (v2:
/// recover) and to bit 7 of a create's `a` (v2: part of the base gfn, reduced modulo the world's
/// gfns); `v2ToV3` decodes with the v2 rules and re-encodes each event in v3.
public enum FormatMigration {
    /// The v7 bytes that mean what `v6` meant under format v6: v7 gave meaning to bit 3 of the
    /// third byte of an op-5 nx_huge_pages toggle record (b & 7 == 1: page aging), which v6
    /// ignored; it is cleared. A trailing partial record is kept.
    public static func v6ToV7(_ v6: [UInt8]) -> [UInt8] {
        var out = v6
        var i = 0
        while i + ScheduleFormat.recordSize <= out.count {
            if out[i] & 15 == 5 && out[i + 2] & 7 == 1 { out[i + 2] &= ~8 }
            i += ScheduleFormat.recordSize
        }
        return out
    }

    /// The v6 schedule that means what `v5` meant under format v5, in the world `config` under
    /// `variant`. v6 gave the NX huge page recovery thread an actor of its own (12, `nxrec`);
    /// under v5 its passes ran on actor 7 with the `nx_huge_pages` toggle, so `step nx` stepped
    /// whichever of the two was running, and the start of either was refused while the other
    /// ran. Which one that was depends on how long each ran, so the schedule is run (on the v6
    /// model, where the two behave as under v5 as long as they do not overlap): a step of actor 7
    /// while the recovery runs becomes a step of actor 12; a toggle or recovery start while
    /// either runs (refused under v5) is dropped, and so is a step of actor 12 (under v5 no actor,
    /// a no-op). Events after a violation are copied. The drain's order puts actor 12 right after
    /// actor 7 (`Checker.drainActor`), so the end of the schedule runs as under v5 too.
    public static func v5ToV6(_ v5: Schedule, variant: Variant = .none, config: WorldConfig = .default) -> Schedule {
        var out: [Event] = []
        for (e, act) in zip(v5.events, v5ToV6Actions(v5, variant: variant, config: config)) {
            switch act {
            case .keep: out.append(e)
            case .toRecoveryActor: out.append(Event(kind: .step, x: 12, y: e.y))
            case .drop: break
            }
        }
        return Schedule(events: out)
    }

    /// What `v5ToV6` does with each event of `v5` (the first `maxEvents`).
    public enum V6Action: Equatable, Sendable { case keep, toRecoveryActor, drop }

    public static func v5ToV6Actions(_ v5: Schedule, variant: Variant = .none, config: WorldConfig = .default) -> [V6Action] {
        var w = World(config: config, variant: variant)
        var out: [V6Action] = []
        for e in v5.events.prefix(ScheduleFormat.maxEvents) {
            if w.violation != nil { out.append(.keep); continue }
            switch e.kind {
            case .step:
                var a = Int(e.x)
                if a == 12 { out.append(.drop); continue }
                if a == 7 && !w.actors[7].busy && w.actors[12].busy { a = 12; out.append(.toRecoveryActor) } else { out.append(.keep) }
                var k = 0
                while k < Int(e.y) && a < Cap.actors && w.runnable(a) {
                    w.step(a)
                    w.checkStep()
                    k += 1
                    if w.violation != nil { break }
                }
            case .nxToggle, .nxRecover:
                if w.actors[7].busy || w.actors[12].busy { out.append(.drop); continue }
                _ = w.start(e)
                out.append(.keep)
            default:
                _ = w.start(e)
                out.append(.keep)
            }
        }
        return out
    }

    /// The v5 bytes that mean what `v4` meant under format v4: v5 gave meaning to bit 3 of the
    /// third byte of an op-5 recover record (b & 7 == 0: an NX recovery pass) and to bit 2 of the
    /// third byte of a fault record (op 6: exec), which v4 ignored; both are cleared. A trailing
    /// partial record is kept.
    public static func v4ToV5(_ v4: [UInt8]) -> [UInt8] {
        var out = v4
        var i = 0
        while i + ScheduleFormat.recordSize <= out.count {
            if out[i] & 15 == 5 && out[i + 2] & 7 == 0 { out[i + 2] &= ~8 }
            if out[i] & 15 == 6 { out[i + 2] &= ~4 }
            i += ScheduleFormat.recordSize
        }
        return out
    }

    /// The v4 bytes that mean what `v3` meant under format v3: v4 gave meaning to bit 6 of the
    /// third byte of an op-5 punch-hole record (b & 7 == 7, a even), which v3 ignored; it is
    /// cleared. A trailing partial record is kept.
    public static func v3ToV4(_ v3: [UInt8]) -> [UInt8] {
        var out = v3
        var i = 0
        while i + ScheduleFormat.recordSize <= out.count {
            if out[i] & 15 == 5 && out[i + 2] & 7 == 7 && out[i + 1] & 1 == 0 { out[i + 2] &= 0x3F }
            i += ScheduleFormat.recordSize
        }
        return out
    }

    /// The v3 bytes that mean what `v2` meant under format v2, for a world of geometry `g`
    /// (a create's base gfn was reduced modulo the world's gfns). A trailing partial record is kept.
    public static func v2ToV3(_ v2: [UInt8], geometry g: Geometry = .default) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i + ScheduleFormat.recordSize <= v2.count {
            let (op, a, b) = (v2[i], v2[i + 1], v2[i + 2])
            if op & 15 == 5 && (b & 7 == 6 || b & 7 == 7) {
                out += [op, a, 0]                                   // v2: recover a%3
            } else if op & 15 == 11 {
                let base = UInt8((Int(a) >> 2) % g.gfns)             // v2: (a>>2) % gfns
                out += [op, (base << 2) | (a & 3), b]
            } else {
                out += [op, a, b]
            }
            i += ScheduleFormat.recordSize
        }
        out += v2[i...]
        return out
    }

    /// The v2 bytes that mean what `v1` meant under format v1.
    public static func v1ToV2(_ v1: [UInt8]) -> [UInt8] {
        var out = v1
        var i = 0
        while i + ScheduleFormat.recordSize <= out.count {
            if out[i] & 15 == 5 { out[i + 2] = 0 }
            i += ScheduleFormat.recordSize
        }
        return out
    }
}

/// A schedule: the decoded events of an input.
public struct Schedule: Equatable, Sendable {
    public var events: [Event]

    public init(events: [Event]) { self.events = events }

    public init(bytes: [UInt8], geometry g: Geometry = .default) {
        var ev: [Event] = []
        var i = 0
        while i + ScheduleFormat.recordSize <= bytes.count && ev.count < ScheduleFormat.maxEvents {
            ev.append(ScheduleFormat.decode(bytes[i], bytes[i + 1], bytes[i + 2], g))
            i += ScheduleFormat.recordSize
        }
        events = ev
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(events.count * ScheduleFormat.recordSize)
        for e in events.prefix(ScheduleFormat.maxEvents) {
            let (o, a, b) = ScheduleFormat.encode(e)
            out.append(o); out.append(a); out.append(b)
        }
        return out
    }
}
