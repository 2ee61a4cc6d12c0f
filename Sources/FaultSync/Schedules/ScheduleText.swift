/// The readable text form of a schedule: one event per line, `#` starts a comment.
///
///     # faultsync schedule v2
///     fault vcpu0 gfn=5 shared
///     step vcpu0 x4
///     remap hva=5 pages=1
///     step mm0 x16
///     create slot=2 gfn=12 pages=4 hva=24
///     delete slot=1
///     move slot=1 gfn=12
///     flags slot=0 dirty-log=on
///     attr gfn=4 pages=2 private
///     collapse block=1
///     split block=1 nonblocking
///     recover slot=0
///     nx-toggle
///     signal vcpu0
///     step nx x3
///     fault vcpu1 gfn=apic shared
///     apicv inhibit
///     create slot=2 gfn=12 pages=4 hva=24 gmem
///     gpc activate gfn=9
///     gpc activate hva=28
///     gpc use
///     gpc deactivate
///     punch-hole gfn=4 pages=2
///     gmem-release
///     gmem-error gfn=1
///     fault vcpu0 gfn=4 shared exec
///     nx-recover
///     step nxrec x2
///     age hva=4 pages=2
/// v1 text is v2 text is v3 text is v4 text is v5 text: v2 added nx-toggle, signal and apicv, v3
/// the seven forms from `create ... gmem` to `gmem-release`, v4 `gmem-error`, v5 `exec` faults and
/// `nx-recover`. v6 text is v5 text, except that the recovery pass an `nx-recover` starts runs on
/// the actor `nxrec` (v5: on `nx`, which `step nx` then stepped; `FormatMigration.v5ToV6`).
/// v7 text is v6 text plus `age`.
public struct ScheduleParseError: Error, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    public init(line: Int, column: Int = 1, message: String) { self.line = line; self.column = column; self.message = message }
    /// `line:col: error: message`; the CLI puts the path in front.
    public var description: String { "\(line):\(column): error: \(message)" }
}

/// The closest candidate within edit distance 2, for "did you mean".
/// Levenshtein distance (for "did you mean" suggestions; never on the hot path).
public func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
    var prev = Array(0...y.count)
    for i in 1...x.count {
        var cur = [i] + Array(repeating: 0, count: y.count)
        for j in 1...y.count { cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)) }
        prev = cur
    }
    return prev[y.count]
}

/// "; did you mean 'X'?" for the closest candidate within `maxDistance` edits, else "".
public func didYouMean(_ w: String, _ candidates: [String], maxDistance: Int = 2) -> String {
    guard let c = candidates.min(by: { editDistance($0, w) < editDistance($1, w) }),
          editDistance(c, w) <= maxDistance else { return "" }
    return "; did you mean '\(c)'?"
}

extension Event {
    public var text: String {
        switch kind {
        case .step: return "step \(Int(x) < actorNames.count ? actorNames[Int(x)] : "actor\(x)") x\(y)"
        case .fault: return "fault vcpu\(x) gfn=\(y == apicGfnMarker ? "apic" : String(y)) \(f1 ? "private" : "shared")\(z != 0 ? " exec" : "")\(f2 ? " prefault" : "")"
        case .remap: return "remap hva=\(x) pages=\(y)\(f1 ? " nonblocking" : "")"
        case .unmap: return "unmap hva=\(x) pages=\(y)\(f1 ? " nonblocking" : "")"
        case .collapse: return "collapse block=\(x)"
        case .split: return "split block=\(x)\(f1 ? " nonblocking" : "")"
        case .create: return "create slot=\(x) gfn=\(y) pages=\(z) hva=\(w)\(f2 ? " gmem" : "")"
        case .delete: return "delete slot=\(x)"
        case .move: return "move slot=\(x) gfn=\(y)"
        case .flags: return "flags slot=\(x) dirty-log=\(f1 ? "on" : "off")"
        case .attr: return "attr gfn=\(x) pages=\(y) \(f1 ? "private" : "shared")"
        case .recover: return "recover slot=\(x)"
        case .nxToggle: return "nx-toggle"
        case .nxRecover: return "nx-recover"
        case .age: return "age hva=\(x) pages=\(y)"
        case .signal: return "signal vcpu\(x)"
        case .apicv: return "apicv \(f1 ? "inhibit" : "activate")"
        case .gpcUse: return "gpc use"
        case .gpcActivate: return "gpc activate \(f1 ? "hva" : "gfn")=\(x)"
        case .gpcDeactivate: return "gpc deactivate"
        case .punchHole: return "punch-hole gfn=\(x) pages=\(y)"
        case .gmemError: return "gmem-error gfn=\(x)"
        case .gmemRelease: return "gmem-release"
        }
    }
}

extension Schedule {
    public static let header = "# faultsync schedule v\(ScheduleFormat.version)"

    /// The format version a text's first line declares (`# faultsync schedule vN`), if any.
    public static func declaredVersion(_ text: Substring) -> Int? {
        let first = text.prefix(while: { $0 != "\n" && $0 != "\r" })
        let p = "# faultsync schedule v"
        guard first.hasPrefix(p) else { return nil }
        return Int(first.dropFirst(p.count).prefix(while: { $0.isNumber }))
    }

    /// Whether, read as the current format, this schedule may not mean what it meant in format
    /// `version`: before v6 a recovery pass ran on actor 7 (`nx`).
    public func mayMeanOtherwise(since version: Int) -> Bool {
        version < 6 && events.contains { $0.kind == .nxRecover || ($0.kind == .step && $0.x == 12) }
    }

    /// Whether a schedule with no version line reads like one written before v6: it starts an NX
    /// recovery pass, steps `nx` after it, and never names `nxrec`.
    public var looksWrittenBeforeV6: Bool {
        guard let first = events.firstIndex(where: { $0.kind == .nxRecover }) else { return false }
        return !events.contains { $0.kind == .step && $0.x == 12 }
            && events[first...].contains { $0.kind == .step && $0.x == 7 }
    }
    /// The first word of every event line.
    public static let verbs = ["step", "fault", "remap", "unmap", "collapse", "split", "create", "delete", "move",
                               "flags", "attr", "recover", "nx-toggle", "nx-recover", "signal", "apicv", "gpc", "punch-hole", "gmem-error",
                               "gmem-release", "age"]

    public var text: String {
        var s = Schedule.header + "\n"
        for e in events { s += e.text + "\n" }
        return s
    }

    /// Parse the text form. Values must be in range for `geometry` (the encoder writes them as is).
    public init(text: String, geometry g: Geometry = .default) throws {
        var ev: [Event] = []
        var n = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            var line = Substring(raw)
            if let h = line.firstIndex(of: "#") { line = line[..<h] }
            let isSep: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
            let pieces = line.split(whereSeparator: isSep)
            let words = pieces.map(String.init)
            let cols = pieces.map { line.distance(from: line.startIndex, to: $0.startIndex) + 1 }
            guard let verb = words.first else { continue }
            var p = LineParser(words: Array(words.dropFirst()), cols: Array(cols.dropFirst()), line: n,
                               end: line.count + 1)
            let e: Event
            switch verb {
            case "step":
                // actor9...actor14: actor slots the format can step; v2 text wrote actor9-11 for slots that v3 names
                let extra = { (w: String) -> Int? in
                    guard w.hasPrefix("actor"), let k = Int(w.dropFirst(5)), (9...14).contains(k) else { return nil }
                    return k
                }
                guard let who = p.take(), let a = actorNames.firstIndex(of: who) ?? extra(who) else {
                    throw p.error("step needs an actor (\(actorNames.joined(separator: ", ")))\(p.last.map { ", found '\($0)'" + didYouMean($0, actorNames) } ?? "")")
                }
                var count = 1
                if let c = p.take() {
                    guard c.hasPrefix("x"), let k = Int(c.dropFirst()), (1...16).contains(k) else { throw p.error("step count must be x1...x16, got '\(c)'") }
                    count = k
                }
                e = Event(kind: .step, x: UInt8(a), y: UInt8(count))
            case "fault":
                guard let v = p.take(), v.hasPrefix("vcpu"), let k = Int(v.dropFirst(4)), (0...1).contains(k) else { throw p.error("fault needs vcpu0 or vcpu1") }
                if p.flag("gfn=apic") {
                    guard try !p.choice("shared", "private") else { throw p.error("the APIC access page is shared memory") }
                    e = Event(kind: .fault, x: UInt8(k), y: apicGfnMarker, f2: p.flag("prefault"))
                } else {
                    let g = try p.value("gfn", below: g.gfns)
                    let priv = try p.choice("shared", "private")
                    let exec = p.flag("exec")
                    let pre = p.flag("prefault")
                    if exec && pre { throw p.error("KVM_PRE_FAULT_MEMORY is never an instruction fetch: exec and prefault exclude each other") }
                    e = Event(kind: .fault, x: UInt8(k), y: UInt8(g), z: exec ? 1 : 0, f1: priv, f2: pre)
                }
            case "remap", "unmap":
                let h = try p.value("hva", below: g.hvas)
                let n = try p.value("pages", in: 1...4)
                e = Event(kind: verb == "remap" ? .remap : .unmap, x: UInt8(h), y: UInt8(n), f1: p.flag("nonblocking"))
            case "age":
                let h = try p.value("hva", below: g.hvas)
                e = Event(kind: .age, x: UInt8(h), y: UInt8(try p.value("pages", in: 1...4)))
            case "collapse", "split":
                let b = try p.value("block", below: g.hvas / Cap.hugePages)
                e = Event(kind: verb == "collapse" ? .collapse : .split, x: UInt8(b), f1: verb == "split" && p.flag("nonblocking"))
            case "create":
                let id = try p.value("slot", below: 3)
                let base = try p.value("gfn", below: g.gfns)
                let np = try p.value("pages", in: 1...8)
                let h = try p.value("hva", below: min(g.hvas, 32))
                e = Event(kind: .create, x: UInt8(id), y: UInt8(base), z: UInt8(np), w: UInt8(h), f2: p.flag("gmem"))
            case "delete":
                e = Event(kind: .delete, x: UInt8(try p.value("slot", below: 3)))
            case "move":
                let id = try p.value("slot", below: 3)
                e = Event(kind: .move, x: UInt8(id), y: UInt8(try p.value("gfn", below: g.gfns)))
            case "flags":
                let id = try p.value("slot", below: 3)
                guard let d = p.take(), d == "dirty-log=on" || d == "dirty-log=off" else { throw p.error("flags needs dirty-log=on|off") }
                e = Event(kind: .flags, x: UInt8(id), f1: d == "dirty-log=on")
            case "attr":
                let g0 = try p.value("gfn", below: g.gfns)
                let np = try p.value("pages", in: 1...8)
                e = Event(kind: .attr, x: UInt8(g0), y: UInt8(np), f1: try p.choice("shared", "private"))
            case "recover":
                e = Event(kind: .recover, x: UInt8(try p.value("slot", below: 3)))
            case "apicv":
                e = Event(kind: .apicv, f1: try p.choice("activate", "inhibit"))
            case "gpc":
                switch p.take() {
                case "use": e = Event(kind: .gpcUse)
                case "deactivate": e = Event(kind: .gpcDeactivate)
                case "activate":
                    if let w = p.words.dropFirst(p.i).first, w.hasPrefix("hva=") {
                        e = Event(kind: .gpcActivate, x: UInt8(try p.value("hva", below: g.hvas)), f1: true)
                    } else {
                        e = Event(kind: .gpcActivate, x: UInt8(try p.value("gfn", below: g.gfns)))
                    }
                default: throw p.error("gpc needs use, activate gfn=N, activate hva=N or deactivate\(p.last.map { ", found '\($0)'" + didYouMean($0, ["use", "activate", "deactivate"]) } ?? "")")
                }
            case "punch-hole":
                let g0 = try p.value("gfn", below: g.gfns)
                e = Event(kind: .punchHole, x: UInt8(g0), y: UInt8(try p.value("pages", in: 1...8)))
            case "gmem-release":
                e = Event(kind: .gmemRelease)
            case "gmem-error":
                e = Event(kind: .gmemError, x: UInt8(try p.value("gfn", below: g.gfns)))
            case "nx-toggle":
                e = Event(kind: .nxToggle)
            case "nx-recover":
                e = Event(kind: .nxRecover)
            case "signal":
                guard let v = p.take(), v.hasPrefix("vcpu"), let k = Int(v.dropFirst(4)), (0...1).contains(k) else { throw p.error("signal needs vcpu0 or vcpu1") }
                e = Event(kind: .signal, x: UInt8(k))
            default:
                throw ScheduleParseError(line: n, column: cols[0], message: "unknown event '\(verb)'\(didYouMean(verb, Schedule.verbs)); expected one of \(Schedule.verbs.joined(separator: ", "))")
            }
            if let extra = p.take() { throw p.error("unexpected '\(extra)'") }
            ev.append(e)
        }
        guard ev.count <= ScheduleFormat.maxEvents else {
            throw ScheduleParseError(line: n, message: "more than \(ScheduleFormat.maxEvents) events")
        }
        events = ev
    }
}

private struct LineParser {
    var words: [String]
    var cols: [Int]
    var line: Int
    var end: Int
    var i = 0
    var atEnd = false

    /// The word `take` returned last.
    var last: String? { i > 0 && i <= words.count ? words[i - 1] : nil }

    mutating func take() -> String? {
        guard i < words.count else { atEnd = true; return nil }
        defer { i += 1 }
        return words[i]
    }
    mutating func flag(_ name: String) -> Bool {
        if i < words.count && words[i] == name { i += 1; return true }
        return false
    }
    mutating func choice(_ no: String, _ yes: String) throws -> Bool {
        guard let w = take(), w == no || w == yes else { throw error("expected \(no) or \(yes)\(last.map { ", found '\($0)'" } ?? "")") }
        return w == yes
    }
    mutating func value(_ key: String, below limit: Int) throws -> Int { try value(key, in: 0...(limit - 1)) }
    mutating func value(_ key: String, in r: ClosedRange<Int>) throws -> Int {
        guard let w = take(), w.hasPrefix(key + "="), let v = Int(w.dropFirst(key.count + 1)) else {
            throw error("expected \(key)=N\(last.map { ", found '\($0)'" } ?? "")")
        }
        guard r.contains(v) else { throw error("\(key)=\(v) is out of range \(r.lowerBound)...\(r.upperBound)") }
        return v
    }
    /// An error at the word just taken (or at the end of the line when there was none).
    func error(_ m: String) -> ScheduleParseError {
        let c = atEnd ? end : (i > 0 && i <= cols.count ? cols[i - 1] : (i < cols.count ? cols[i] : end))
        return ScheduleParseError(line: line, column: c, message: m)
    }
}
