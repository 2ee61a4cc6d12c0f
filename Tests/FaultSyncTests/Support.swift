import XCTest
@testable import FaultSync

/// Parse a text schedule (test helper: fails the test on a parse error).
func sched(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Schedule {
    do { return try Schedule(text: text) } catch {
        XCTFail("parse error: \(error)", file: file, line: line)
        return Schedule(events: [])
    }
}

func verdict(_ text: String, _ v: Variant = .none) -> Verdict {
    Checker.check(sched(text).bytes, variant: v)
}

func world(_ text: String, _ v: Variant = .none) -> (Verdict, World) {
    Checker.finalWorld(sched(text).bytes, variant: v)
}

/// The repository root (for corpus/).
let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
