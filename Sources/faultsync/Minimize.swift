import ArgumentParser
import FaultSync
import Foundation

struct Minimize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Shrink a violating schedule, keeping the same invariant violated.",
        discussion: "Writes OUT (bytes) and its text twin (OUT with .bin replaced by .txt, else OUT.txt); the input is never touched.")
    @OptionGroup var v: VariantOption
    @Argument(help: "A violating schedule.") var file: String
    @Option(name: .shortAndLong, help: "The new byte file to write (its text twin goes to OUT.txt).") var output: String
    @Flag(help: "Replace existing output files.") var force = false
    @Flag(help: "Skip the last pass: the exhaustive checker's shortest schedule over the minimized operations (same invariant; budget 3M states / 30 s).") var noChecker = false

    func run() throws {
        let variant = try v.resolve()
        guard !output.lowercased().hasSuffix(".txt") else {
            throw CLIError("\(output): -o names the byte file; the text twin is written beside it (use e.g. min.bin)")
        }
        let bytes = try readSchedule(file)
        let s = Schedule(bytes: bytes)
        guard let inv = Checker.check(bytes, variant: variant, config: v.config).violation?.invariant,
              var m = Minimizer.minimize(s, variant: variant, config: v.config) else {
            throw CLIError("\(file): no violation under variant \(variant.name); nothing to minimize")
        }
        let before = Minimizer.length(m, variant: variant, config: v.config)
        var how = "delta debugging"
        if !noChecker, let c = Minimizer.shortest(m, variant: variant, config: v.config, inv: inv) {
            how = "delta debugging, then the checker's shortest over its operations (\(before) -> \(Minimizer.length(c, variant: variant, config: v.config)) transitions)"
            m = c
        }
        try writeNew(output, Data(m.bytes), inputs: [file], force: force)
        let twin = output.hasSuffix(".bin") ? String(output.dropLast(4)) + ".txt" : output + ".txt"
        try writeNew(twin, Data(("# minimized: \(inv.name) under variant \(variant.name)\(v.worldFlags)\n" + m.text).utf8),
                     inputs: [file], force: force)
        print("minimized \(file): \(s.events.count) -> \(m.events.count) events, \(Minimizer.length(m, variant: variant, config: v.config)) transitions, still \(inv.name) under \(variant.name) (\(how))")
        print("wrote \(output) and \(twin)")
    }
}
