import FaultSync
import Foundation

/// `--json` output of replay, trace and random (schema: docs/json.md; check's is in
/// docs/check.md). One object per line, keys sorted.
struct ViolationJSON: Encodable {
    var invariant: String
    var label: String
    var message: String
    /// The step that violated (for liveness verdicts: the last step taken).
    var step: Int
    /// The actor the oracle names, or null.
    var actor: String?

    init(_ x: Violation) {
        invariant = x.invariant.name
        label = x.invariant.label
        message = x.message
        step = Int(x.step)
        actor = Int(x.actor) < actorNames.count ? actorNames[Int(x.actor)] : nil
    }
}

/// One file of `replay --json`.
struct ReplayJSON: Encodable {
    var file: String
    /// "ok", "violation", or "error" (unreadable / unparsable input).
    var verdict: String
    var variant: String?
    var kernel: String
    var events: Int?
    var steps: Int?
    var violation: ViolationJSON?
    /// The known finding this violation is (only with --baseline).
    var knownFinding: String?
    var error: String?
}

/// One line of `trace --json`.
struct TraceLineJSON: Encodable {
    /// "event" (a schedule event), "step" (an atomic step), "drain" (the end-of-schedule drain
    /// begins), "fold" (a repeated retry cycle folded away).
    var kind: String
    var step: Int?
    var event: Int?
    var actor: String?
    var label: String?
    var what: String
    var effect: String?
    /// `step`: where the variant acts, what the correct kernel would have done instead.
    var deviation: String?
}

struct TraceJSON: Encodable {
    var file: String
    var variant: String
    var kernel: String
    var violation: ViolationJSON?
    var events: Int
    var steps: Int
    var trace: [TraceLineJSON]
}

/// `random --json`.
struct RandomJSON: Encodable {
    var engine: String
    var seed: UInt64
    var variant: String
    var kernel: String
    var found: Bool
    var executions: Int
    var seconds: Double
    var violation: ViolationJSON?
    var output: String?
}

/// `faultsync check --json`: one object per scenario.
struct CheckJSON: Encodable {
    var scenario: [String]
    var index: Int?
    var variant: String
    var kernel: String
    var outcome: String
    var complete: Bool
    var distinct: Int
    var transitions: Int
    var reduction: Bool
    var slept: Int
    var depth: Int
    var seconds: Double
    var statesPerSecond: Double
    var bytesPerState: Double
    /// The visited table's share of `bytesPerState` (the rest: breadth-first, the parent links'
    /// 64 KiB write buffer).
    var tableBytesPerState: Double
    /// Breadth-first: parent links on disk (an unlinked temporary file), bytes per stored state (5).
    var diskBytesPerState: Double
    /// The parent-link file could not be written (no space): links were kept in memory.
    var parentLinksInMemory: Bool
    /// Reduction: sleep-set transitions given compact bits (at most 11), members dropped after.
    var sleepBits: Int
    var sleepDropped: Int
    var peakFrontier: Int
    var peakFrontierBytes: Int
    var peakFrontierUsedBytes: Int
    var packedBytesPerState: Double
    var livenessChecks: Int
    var exact: Bool
    var collisions: Int?
    var violation: ViolationJSON?
    var counterexample: String?
    var counterexampleTransitions: Int?
    var replayReproduces: Bool?
    var output: String?
}

func printJSON<T: Encodable>(_ value: T) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(data: try enc.encode(value), encoding: .utf8)!)
}

extension TraceLineJSON {
    init(_ e: TraceEntry) {
        if e.actor == Report.foldMarker {
            self.init(kind: "fold", step: nil, event: nil, actor: nil, label: nil, what: e.what, effect: nil, deviation: nil)
        } else if e.actor < 0 && e.label == "drain" {
            self.init(kind: "drain", step: nil, event: nil, actor: nil, label: nil, what: e.what, effect: nil, deviation: nil)
        } else if e.actor < 0 {
            self.init(kind: "event", step: nil, event: e.event, actor: nil, label: nil, what: e.what, effect: e.effect, deviation: nil)
        } else {
            self.init(kind: "step", step: e.step, event: e.event >= 0 ? e.event : nil, actor: actorNames[e.actor],
                      label: e.label, what: e.what, effect: e.effect, deviation: e.deviation.isEmpty ? nil : e.deviation)
        }
    }
}
