/// The readable text form of a schedule: one event per line, `#` starts a comment.
///
///     # faultsync schedule v1
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
public struct ScheduleParseError: Error, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

extension Event {
    public var text: String {
        switch kind {
        case .step: return "step \(actorNames[Int(x)]) x\(y)"
        case .fault: return "fault vcpu\(x) gfn=\(y) \(f1 ? "private" : "shared")\(f2 ? " prefault" : "")"
        case .remap: return "remap hva=\(x) pages=\(y)\(f1 ? " nonblocking" : "")"
        case .unmap: return "unmap hva=\(x) pages=\(y)\(f1 ? " nonblocking" : "")"
        case .collapse: return "collapse block=\(x)"
        case .split: return "split block=\(x)\(f1 ? " nonblocking" : "")"
        case .create: return "create slot=\(x) gfn=\(y) pages=\(z) hva=\(w)"
        case .delete: return "delete slot=\(x)"
        case .move: return "move slot=\(x) gfn=\(y)"
        case .flags: return "flags slot=\(x) dirty-log=\(f1 ? "on" : "off")"
        case .attr: return "attr gfn=\(x) pages=\(y) \(f1 ? "private" : "shared")"
        case .recover: return "recover slot=\(x)"
        }
    }
}

extension Schedule {
    public static let header = "# faultsync schedule v\(ScheduleFormat.version)"

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
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let verb = words.first else { continue }
            var p = LineParser(words: Array(words.dropFirst()), line: n)
            let e: Event
            switch verb {
            case "step":
                guard let who = p.take(), let a = actorNames.firstIndex(of: who) else { throw p.error("step needs an actor (\(actorNames.joined(separator: ", ")))") }
                var count = 1
                if let c = p.take() {
                    guard c.hasPrefix("x"), let k = Int(c.dropFirst()), (1...16).contains(k) else { throw p.error("step count must be x1...x16, got '\(c)'") }
                    count = k
                }
                e = Event(kind: .step, x: UInt8(a), y: UInt8(count))
            case "fault":
                guard let v = p.take(), v.hasPrefix("vcpu"), let k = Int(v.dropFirst(4)), (0...1).contains(k) else { throw p.error("fault needs vcpu0 or vcpu1") }
                let g = try p.value("gfn", below: g.gfns)
                let priv = try p.choice("shared", "private")
                e = Event(kind: .fault, x: UInt8(k), y: UInt8(g), f1: priv, f2: p.flag("prefault"))
            case "remap", "unmap":
                let h = try p.value("hva", below: g.hvas)
                let n = try p.value("pages", in: 1...4)
                e = Event(kind: verb == "remap" ? .remap : .unmap, x: UInt8(h), y: UInt8(n), f1: p.flag("nonblocking"))
            case "collapse", "split":
                let b = try p.value("block", below: g.hvas / Cap.hugePages)
                e = Event(kind: verb == "collapse" ? .collapse : .split, x: UInt8(b), f1: verb == "split" && p.flag("nonblocking"))
            case "create":
                let id = try p.value("slot", below: 3)
                let base = try p.value("gfn", below: g.gfns)
                let np = try p.value("pages", in: 1...8)
                let h = try p.value("hva", below: min(g.hvas, 32))
                e = Event(kind: .create, x: UInt8(id), y: UInt8(base), z: UInt8(np), w: UInt8(h))
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
            default:
                throw ScheduleParseError(line: n, message: "unknown event '\(verb)'")
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
    var line: Int
    var i = 0

    mutating func take() -> String? {
        guard i < words.count else { return nil }
        defer { i += 1 }
        return words[i]
    }
    mutating func flag(_ name: String) -> Bool {
        if i < words.count && words[i] == name { i += 1; return true }
        return false
    }
    mutating func choice(_ no: String, _ yes: String) throws -> Bool {
        guard let w = take(), w == no || w == yes else { throw error("expected \(no) or \(yes)") }
        return w == yes
    }
    mutating func value(_ key: String, below limit: Int) throws -> Int { try value(key, in: 0...(limit - 1)) }
    mutating func value(_ key: String, in r: ClosedRange<Int>) throws -> Int {
        guard let w = take(), w.hasPrefix(key + "="), let v = Int(w.dropFirst(key.count + 1)) else {
            throw error("expected \(key)=N")
        }
        guard r.contains(v) else { throw error("\(key)=\(v) is out of range \(r.lowerBound)...\(r.upperBound)") }
        return v
    }
    func error(_ m: String) -> ScheduleParseError { ScheduleParseError(line: line, message: m) }
}
