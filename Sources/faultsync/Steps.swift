import ArgumentParser
import FaultSync
import Foundation

/// Which kernel steps a corpus reaches, and how often (the step-level coverage table).
struct Steps: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count the kernel steps (per actor, per step label) that schedule files or directories reach.")
    @OptionGroup var v: VariantOption
    @Flag(help: "Only list the steps never reached (exit 1 if there are any).") var gaps = false
    @Argument(help: "Schedule files or directories of them.") var paths: [String]

    func run() throws {
        let variant = try v.resolve()
        for p in paths where !FileManager.default.fileExists(atPath: p) { throw CLIError("\(p): no such file") }
        let files = try expandSchedules(paths)
        guard !files.isEmpty else { throw CLIError("no schedule files given") }
        var counter = StepCounter()
        for f in files {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: f, isDirectory: &isDir), isDir.boolValue { continue }
            let bytes = try readSchedule(f)
            _ = bytes.withUnsafeBytes { Checker.run($0, variant: variant, config: v.config, observer: &counter) }
        }
        var missing = 0
        if !gaps { print("\(files.count) inputs, variant \(variant.name)\n") ; print("actor    label  kernel step                                        count  kernel file") }
        for kind in [ActorKind.vcpu, .mm, .memslot, .attr, .recover, .nx, .apicv, .gpc, .gmem, .nxrec] {
            for pc in StepCounter.steps(of: kind, variant: variant, config: v.config) {
                let n = counter.count(kind, pc)
                if n == 0 { missing += 1 }
                if !gaps || n == 0 {
                    let k = "\(kind)".padding(toLength: 8, withPad: " ", startingAt: 0)
                    let l = pc.label.padding(toLength: 6, withPad: " ", startingAt: 0)
                    let w = pc.kernelName.count >= 50 ? pc.kernelName : pc.kernelName.padding(toLength: 50, withPad: " ", startingAt: 0)
                    print("\(k) \(l) \(w) \((n == 0 ? "NEVER" : String(n)).padding(toLength: 6, withPad: " ", startingAt: 0)) \(pc.kernelFile)")
                }
            }
        }
        print("\(missing) step(s) never reached")
        if gaps && missing > 0 { throw ExitCode(1) }
    }
}
