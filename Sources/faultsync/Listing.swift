import ArgumentParser
import FaultSync
import Foundation

struct Findings: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the known findings: where the baseline kernel itself violates an oracle, and the candidate fix the model can switch on.")
    @Option(name: .long, help: "Print only the world flags the finding's reproducers need (for scripts), e.g. `--gmem-mmap --mirror-tdp`; empty for the default world.")
    var worldFlags: String?

    func run() throws {
        if let n = worldFlags {
            guard let f = Finding.named(n) else { throw CLIError("unknown finding '\(n)' (known: \(Finding.allCases.map(\.name).joined(separator: ", ")))") }
            var c = f.world
            c.fixes = .all
            print(c.worldFlags.trimmingCharacters(in: .whitespaces))
            return
        }
        print("baseline: \(KernelBaseline.description)")
        for (f, c) in KernelBaseline.files { print("    \(f): \(c)") }
        for f in Finding.allCases {
            var c = f.world
            c.fixes = .all
            let w = c.worldFlags.isEmpty ? "default" : c.worldFlags.trimmingCharacters(in: .whitespaces)
            print("\(f.name)\n    what:  \(f.summary)\n    fix:   \(f.fix)\n    world: \(w)\n    doc:   \(f.doc)\n    corpus: corpus/findings/\(f.name)/")
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
