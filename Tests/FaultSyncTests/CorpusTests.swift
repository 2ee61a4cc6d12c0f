import XCTest
@testable import FaultSync

/// Replays the committed corpus: seeds pass on the correct model; each regression violates an
/// invariant its variant guards (at least one file per variant its primary one) and passes on
/// the correct model; every byte file's text twin decodes to the same schedule.
final class CorpusTests: XCTestCase {
    func files(_ dir: URL, ext: String) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == ext }.sorted { $0.path < $1.path }
    }

    func bytes(_ u: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: u)) }

    func checkTwin(_ bin: URL) throws {
        let twin = bin.deletingPathExtension().appendingPathExtension("txt")
        let text = try String(contentsOf: twin, encoding: .utf8)
        XCTAssertEqual(try Schedule(text: text), Schedule(bytes: try bytes(bin)), "\(twin.lastPathComponent) disagrees with \(bin.lastPathComponent)")
    }

    func testSeedsPassOnTheCorrectModel() throws {
        let seeds = files(repoRoot.appendingPathComponent("corpus/seeds"), ext: "bin")
        XCTAssertGreaterThanOrEqual(seeds.count, 8)
        var kinds = Set<EventKind>()
        for f in seeds {
            let b = try bytes(f)
            XCTAssertNil(Checker.check(b).violation, f.lastPathComponent)
            try checkTwin(f)
            for e in Schedule(bytes: b).events { kinds.insert(e.kind) }
        }
        XCTAssertEqual(kinds, Set(EventKind.allCases), "the seeds start every kind of operation")
    }

    func testEveryVariantHasARegressionThatViolatesItsInvariant() throws {
        let root = repoRoot.appendingPathComponent("corpus/regressions")
        for v in Variant.allCases where v != .none {
            let bins = files(root.appendingPathComponent(v.name), ext: "bin")
            XCTAssertFalse(bins.isEmpty, "no regression for \(v.name)")
            var primary = false
            // The corpus is append-only: a reproducer that stopped reproducing after a model
            // change stays, with NOTE.md beside it naming it and saying why.
            let note = (try? String(contentsOf: root.appendingPathComponent(v.name).appendingPathComponent("NOTE.md"), encoding: .utf8)) ?? ""
            for f in bins {
                let b = try bytes(f)
                let got = Checker.check(b, variant: v).violation?.invariant
                if got == nil && note.contains("`\(f.lastPathComponent)` no longer violates") {
                    XCTAssertNil(Checker.check(b).violation, "\(v.name)/\(f.lastPathComponent) fails on the correct model")
                    continue
                }
                XCTAssertNotNil(got, "\(v.name)/\(f.lastPathComponent) no longer violates (explain it in NOTE.md beside it)")
                if let g = got {
                    XCTAssertTrue(v.violates.contains(g), "\(v.name)/\(f.lastPathComponent): \(g.name) is not what \(v.name) breaks")
                    if g == v.expected { primary = true }
                }
                XCTAssertNil(Checker.check(b).violation, "\(v.name)/\(f.lastPathComponent) fails on the correct model")
                try checkTwin(f)
            }
            XCTAssertTrue(primary, "\(v.name): no regression violates \(v.expected!.name)")
        }
    }

    /// Step-level coverage: the seeds reach every kernel step of the correct model, in the
    /// default world and (their extra steps) in the INIT_SHARED world and the world without the
    /// zap-all quirk (kvm_mmu_zap_memslot()'s walk).
    func testSeedsReachEveryKernelStep() throws {
        var shared = WorldConfig()
        shared.gmemInitShared = true
        shared.gmemMmap = true
        var noZapAll = WorldConfig()
        noZapAll.zapAllOnSlotChange = false
        for config in [WorldConfig.default, shared, noZapAll] {
            var counter = StepCounter()
            for f in files(repoRoot.appendingPathComponent("corpus/seeds"), ext: "bin") {
                let b = try bytes(f)
                _ = b.withUnsafeBytes { Checker.run($0, variant: .none, config: config, observer: &counter) }
            }
            for kind in [ActorKind.vcpu, .mm, .memslot, .attr, .recover, .nx, .apicv, .gpc, .gmem, .nxrec] {
                let extra: [PC] = config == shared ? [.g5Wait, .g10Unmap, .g10Wait] : [.m3cZap, .m3cYield, .m3cRelock, .m3cUnlock]
                for pc in StepCounter.steps(of: kind, config: config) where config == .default || extra.contains(pc) {
                    XCTAssertGreaterThan(counter.count(kind, pc), 0, "no seed reaches \(kind) \(pc.label) \(pc.kernelName)\(config == .default ? "" : config == shared ? " in the INIT_SHARED world" : " in the world without the zap-all quirk")")
                }
            }
        }
    }
}

/// The headline's step number is the step that violated: the last step the trace shows.
final class HeadlineStepTests: XCTestCase {
    func testHeadlineStepIsTheLastTracedStep() throws {
        let root = repoRoot.appendingPathComponent("corpus/regressions")
        var checked = 0
        for v in Variant.allCases where v != .none {
            let dir = root.appendingPathComponent(v.name)
            for f in ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [])
                where f.pathExtension == "bin" {
                let (verdict, entries) = Report.trace([UInt8](try Data(contentsOf: f)), variant: v)
                guard let x = verdict.violation else { continue }
                let last = entries.last { $0.step > 0 }?.step ?? 0
                XCTAssertEqual(Int(x.step), last, "\(v.name)/\(f.lastPathComponent): headline step \(x.step), last traced step \(last)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 30)
    }
}
