import ArgumentParser
import FaultSync
import Foundation

/// Exit codes: 0 no violation, 1 violation found, 2 usage or I/O error.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

struct FaultSyncCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faultsync",
        abstract: "Replay, trace, convert and minimize faultsync schedules over the KVM fault-synchronization model.",
        discussion: "Model of \(KernelBaseline.description). Exit status: 0 no violation, 1 violation found, 2 usage or I/O error. Inputs are never modified.",
        version: "faultsync (model of \(KernelBaseline.description); schedule format v\(ScheduleFormat.version))",
        subcommands: [Replay.self, Trace.self, Decode.self, Encode.self, Migrate.self, Variants.self, Findings.self,
                      Minimize.self, RandomSearch.self, Steps.self, Check.self]
    )
}

struct VariantOption: ParsableArguments {
    @Option(name: .long, help: "Bug variant to run: \(Variant.allCases.map(\.name).joined(separator: ", ")); default: none, the correct model. `replay` also takes `auto`: the variant of corpus/regressions/<variant>/, or the one a text twin's \"# minimized: ... under variant V\" line names.")
    var variant: String = "none"

    @Flag(name: .long, help: "Run the plain baseline kernel (\(KernelBaseline.description)) without the candidate fixes for its known findings (see `faultsync findings`). Default: baseline + those fixes, the correct model.")
    var baseline = false

    @Option(name: .long, help: "Run the baseline with every candidate fix but this finding's (see `faultsync findings`): only that finding can show. Not with --baseline.")
    var withoutFix: String?

    @Flag(name: .long, help: "World: the VM's guest_memfd (bound to slot 0) has GUEST_MEMFD_FLAG_MMAP, so its slots are KVM_MEMSLOT_GMEM_ONLY and shared faults there are served from guest_memfd too. Default: no MMAP.")
    var gmemMmap = false

    @Flag(name: .long, help: "World: the TDP MMU honours attr_filter as with mirrored TDP (TDX): unmaps reach only the SPTE kinds their filter names; no zap-all quirk, no APIC access page. Default: a VM without mirror roots.")
    var mirrorTdp = false

    @Flag(name: .long, help: "World: KVM_X86_DEFAULT_VM (no private memory) whose guest_memfd has GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, mapped by the VMM at slot 0's hvas: shared memory served by guest_memfd to KVM and to host userspace; a punch hole's truncation unmaps it through the MMU notifier. Implies --gmem-mmap; not with --mirror-tdp.")
    var gmemInitShared = false

    @Flag(name: .long, help: "World: memslot delete/move zap with kvm_mmu_zap_memslot() instead of kvm_mmu_zap_all_fast(), as on every VM type but KVM_X86_DEFAULT_VM with KVM_X86_QUIRK_SLOT_ZAP_ALL (so also on a VM with private memory). Default: zap all.")
    var noSlotZapAll = false

    @Flag(name: .long, help: "World: the TDP MMU has no Accessed/Dirty bits (kvm_intel.eptad=0, or EPT without A/D): KVM_PRE_FAULT_MEMORY makes access-tracked SPTEs, and every fault first tries fast_page_fault(), which restores them without mmu_lock. Not with --mirror-tdp (TDX needs A/D bits). Default: A/D bits.")
    var noAdBits = false

    var config: WorldConfig {
        var c = WorldConfig()
        c.fixes = baseline ? .none : .all
        if let n = withoutFix, let f = Finding.named(n) { c.fixes = FixSet(rawValue: FixSet.all.rawValue & ~(1 << f.rawValue)) }
        c.zapAllOnSlotChange = !noSlotZapAll
        c.gmemMmap = gmemMmap || gmemInitShared
        c.mirrorTDP = mirrorTdp
        c.gmemInitShared = gmemInitShared
        c.adBits = !noAdBits
        return c
    }
    var kernel: String { baseline ? "plain baseline" : withoutFix.map { "baseline + fixes but \($0)'s" } ?? "baseline + fixes" }
    /// The flags that select this world and kernel, for replay hints.
    var worldFlags: String { config.worldFlags }

    func validate() throws {
        if let n = withoutFix {
            guard Finding.named(n) != nil else {
                throw ValidationError("--without-fix: no finding named '\(n)' (known: \(Finding.allCases.map(\.name).joined(separator: ", ")))")
            }
            if baseline { throw ValidationError("--without-fix runs the other fixes; --baseline runs none: give one of them") }
        }
        if gmemInitShared && mirrorTdp {
            throw ValidationError("--gmem-init-shared needs a VM without private memory; --mirror-tdp is TDX's (kvm_arch_supports_gmem_init_shared() is false there)")
        }
        if noAdBits && mirrorTdp {
            throw ValidationError("--no-ad-bits: TDX (--mirror-tdp) requires the A/D bits (KVM refuses TDX without them)")
        }
    }

    func resolve() throws -> Variant {
        guard let v = Variant.named(variant) else {
            let names = Variant.allCases.map(\.name)
            let hint = didYouMean(variant, names, maxDistance: 3)
            throw CLIError("unknown variant '\(variant)'\(hint) (known: \(names.joined(separator: ", ")))")
        }
        return v
    }

    /// `--variant auto` for one file: the directory name under corpus/regressions/, else the
    /// variant the text twin's "# minimized: ... under variant V" line names, else none.
    static func inferred(for path: String) -> Variant {
        let parts = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        if let i = parts.lastIndex(of: "regressions"), i + 1 < parts.count - 1, let v = Variant.named(parts[i + 1]) { return v }
        let twin = path.hasSuffix(".bin") ? String(path.dropLast(4)) + ".txt" : path
        if let t = try? String(contentsOfFile: twin, encoding: .utf8),
           let r = t.range(of: "under variant ") {
            let name = t[r.upperBound...].prefix { !$0.isWhitespace }
            if let v = Variant.named(String(name)) { return v }
        }
        return .none
    }
}

/// Whether a file's content is the text form: the `# faultsync schedule` header, or printable
/// text whose first word is an event (text is recognised by its content, not by its name).
func looksLikeText(_ b: [UInt8]) -> Bool {
    guard !b.isEmpty, b.allSatisfy({ $0 == 9 || $0 == 10 || $0 == 13 || ($0 >= 32 && $0 < 127) }),
          let s = String(bytes: b, encoding: .utf8) else { return false }
    if s.hasPrefix("# faultsync schedule") { return true }
    for line in s.split(separator: "\n") {
        let t = line.drop(while: { $0 == " " || $0 == "\t" })
        if t.isEmpty || t.hasPrefix("#") { continue }
        let verb = t.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).first.map(String.init) ?? ""
        return Schedule.verbs.contains(verb)
    }
    return true   // only comments and blank lines: an empty text schedule
}

/// Read a schedule file: the text form if its content is text (see `looksLikeText`), else raw
/// fuzzer bytes.
func readSchedule(_ path: String) throws -> [UInt8] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw CLIError("\(path): no such file")
    }
    if isDir.boolValue { throw CLIError("\(path): is a directory (give the files inside it)") }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CLIError("\(path): cannot read")
    }
    let raw = [UInt8](data)
    if looksLikeText(raw) || path.lowercased().hasSuffix(".txt") {
        guard let text = String(data: data, encoding: .utf8) else { throw CLIError("\(path): not UTF-8 text") }
        do {
            let s = try Schedule(text: text)
            let declared = Schedule.declaredVersion(Substring(text))
            if let v = declared, s.mayMeanOtherwise(since: v) {
                FileHandle.standardError.write(Data("\(path): warning: a format-v\(v) schedule with an NX recovery pass, read as v\(ScheduleFormat.version): since v6 the pass runs on actor nxrec, not nx, so its `step nx` lines may step another thread; `faultsync migrate \(path) -o NEW --from \(v)` (with the world flags and --variant it was made for) rewrites it with its v\(v) meaning\n".utf8))
            } else if declared == nil && s.looksWrittenBeforeV6 {
                FileHandle.standardError.write(Data("\(path): warning: no version line, and an NX recovery pass followed by `step nx` with no `step nxrec`: if this was written before format v6, its `step nx` lines stepped the pass, which now runs on actor nxrec; `faultsync migrate \(path) -o NEW --from 5` (with its world flags and --variant) rewrites it\n".utf8))
            }
            return s.bytes
        } catch let e as ScheduleParseError {
            throw CLIError("\(path):\(e.line):\(e.column): error: \(e.message)")
        }
    }
    return raw
}

/// Write a new file; refuse to overwrite an input or an existing file unless `force`.
/// Expand directories (recursively) into their schedule files, sorted; a text twin `X.txt` next
/// to `X.bin` is skipped (the same schedule); `.md` notes and `.log` files are not schedules.
func expandSchedules(_ paths: [String]) throws -> [String] {
    var out: [String] = []
    for p in paths {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { out.append(p); continue }
        guard isDir.boolValue else { out.append(p); continue }
        guard let e = FileManager.default.enumerator(atPath: p) else { throw CLIError("\(p): cannot list") }
        var files: [String] = []
        for case let rel as String in e {
            let full = (p as NSString).appendingPathComponent(rel)
            var d: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &d), d.boolValue { continue }
            if rel.hasSuffix(".md") || rel.hasSuffix(".log") || rel.hasPrefix(".") { continue }
            files.append(full)
        }
        let set = Set(files)
        out += files.sorted().filter { !($0.hasSuffix(".txt") && set.contains(String($0.dropLast(4)) + ".bin")) }
    }
    return out
}

func writeNew(_ path: String, _ data: Data, inputs: [String], force: Bool) throws {
    let target = URL(fileURLWithPath: path).standardizedFileURL.path
    for i in inputs where URL(fileURLWithPath: i).standardizedFileURL.path == target {
        throw CLIError("\(path): refusing to overwrite the input file")
    }
    if FileManager.default.fileExists(atPath: path) && !force {
        throw CLIError("\(path): exists (use --force to replace it)")
    }
    guard FileManager.default.createFile(atPath: path, contents: data) else {
        throw CLIError("\(path): cannot write")
    }
}

@main
struct Entry {
    static func main() {
        do {
            var cmd = try FaultSyncCLI.parseAsRoot()
            try cmd.run()
        } catch let e as ExitCode {
            exit(e.rawValue)
        } catch let e as CLIError {
            FileHandle.standardError.write(Data("faultsync: \(e)\n".utf8))
            exit(2)
        } catch {
            if FaultSyncCLI.exitCode(for: error) == .success {
                print(FaultSyncCLI.fullMessage(for: error))
                exit(0)
            }
            FileHandle.standardError.write(Data((FaultSyncCLI.fullMessage(for: error) + "\n").utf8))
            exit(2)
        }
    }
}
