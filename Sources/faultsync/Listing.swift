import ArgumentParser
import FaultSync
import Foundation

struct Findings: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the known findings: where the baseline kernel itself violates an oracle, and the candidate fix the model can switch on.")
    func run() throws {
        print("baseline: \(KernelBaseline.description)")
        for (f, c) in KernelBaseline.files { print("    \(f): \(c)") }
        for f in Finding.allCases {
            print("\(f.name)\n    what:  \(f.summary)\n    fix:   \(f.fix)\n    doc:   \(f.doc)\n    corpus: corpus/findings/\(f.name)/")
        }
    }
}

struct Variants: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the bug variants: name, what it breaks, the invariant it must violate.",
                                                    discussion: "Variants apply on top of the model of \(KernelBaseline.description) with the fixes for its known findings.")
    func run() throws {
        for v in Variant.allCases {
            let inv = v.violates.isEmpty ? "-" : v.violates.map { "\($0.name) (\($0.label))" }.joined(separator: ", also ")
            print("\(v.name)\n    breaks:   \(v.breaks)\n    origin:   \(v.origin)\n    violates: \(inv)")
        }
    }
}
