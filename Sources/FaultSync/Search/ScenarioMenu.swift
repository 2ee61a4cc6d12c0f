/// The operations `faultsync check --all-scenarios N` combines: one of each operation kind the
/// model has, all aimed at the same place of the default world — memslot 1 (gfn [8,12), hva
/// [16,20), one huge block: hva block 4) — so that every pair of them overlaps: a fault there
/// (KVM_RUN, prefault), a gfn_to_pfn_cache activated on it (slot 1 is a plain slot: a private
/// fault there only exits to userspace, so the menu has none), each host-mm change (remap, unmap, THP collapse and split) of
/// that hva range, each memslot change of slot 1 (plus a create of slot 2 that aliases the same
/// hvas), an attribute change of one gfn of the faulted huge block (so the head/tail of a
/// partially converted block matters), huge-page recovery of it, the two
/// kvm_mmu_zap_all_fast()/kvm_zap_gfn_range() users that are not memslot changes (nx_huge_pages,
/// APICv) with a fault on the APIC page, and a signal to the prefaulting vCPU; then a second group
/// around slot 0, the guest_memfd slot (private fault, its attribute change, punch hole,
/// release, a memory failure on its folio), and the pfn cache's use and hva activation; last,
/// NX huge pages: an instruction fetch on slot 1 and a pass of the recovery thread. The move of
/// slot 1 past the last gfn (listed after the other move: its kvm_prepare_memory_region() fails
/// after the invalidation, and it is reverted) was added next, and page aging of slot 1's hvas last.
/// 28 operations: 28 / 434 / 4,494 / 35,959 scenarios of 1 / 1..2 / 1..3 / 1..4 operations. (27
/// until aging was added on 2026-11-29, twenty-first session: 27 / 405 / 4,059 / 31,464; 26 until the failing move was added on 2026-11-29: 26 / 377 / 3,653 / 27,404;
/// 24 operations until NX huge pages were added on 2026-11-28: 24 / 324 / 2,924 / 20,474; 23
/// until the memory failure was added on 2026-11-27: 23 / 299 / 2,599 / 17,549.)
public enum ScenarioMenu {
    public static let lines = [
        "fault vcpu0 gfn=9 shared",
        "fault vcpu1 gfn=9 shared prefault",
        "gpc activate gfn=9",
        "remap hva=17 pages=1",
        "unmap hva=16 pages=4",
        "collapse block=4",
        "split block=4",
        "create slot=2 gfn=12 pages=4 hva=16",
        "delete slot=1",
        "move slot=1 gfn=12",
        "move slot=1 gfn=14",      // ends past the last gfn: a target past kvm_mmu_max_gfn(), -EINVAL after the invalidation
        "flags slot=1 dirty-log=on",
        "attr gfn=8 pages=1 private",
        "recover slot=1",
        "nx-toggle",
        "apicv inhibit",
        "fault vcpu1 gfn=apic shared",
        "signal vcpu1",
        // guest_memfd on slot 0 (the default world's guest_memfd slot): a private fault, the
        // attribute change it needs, a punch hole of it, the file's release; the pfn cache's use
        // and an hva-based activation outside every memslot.
        "attr gfn=1 pages=1 private",
        "fault vcpu1 gfn=1 private",
        "punch-hole gfn=1 pages=1",
        "gmem-release",
        "gpc use",
        "gpc activate hva=24",
        "gmem-error gfn=1",
        // NX huge pages (nx_huge_pages is on at boot): an exec fault on slot 1, the recovery thread.
        "fault vcpu0 gfn=9 shared exec",
        "nx-recover",
        // Page aging (format v7) of slot 1's hvas: lockless, under kvm->srcu only.
        "age hva=16 pages=4",
    ]

    /// Added in a world whose guest_memfd has GUEST_MEMFD_FLAG_MMAP (`--gmem-mmap`): a shared
    /// fault on the gmem-only slot 0, which guest_memfd serves too, and a host-mm change of
    /// slot 0's hvas (the MMU notifier still zaps a gmem-only slot). 30 operations there:
    /// 30 / 495 / 5,455 / 46,375 scenarios (29 / 464 / 4,959 / 40,919 before aging; 28 / 434 /
    /// 4,494 / 35,959 before the failing move). The default world's menu is unchanged.
    public static let gmemMmapLines = ["fault vcpu0 gfn=1 shared", "unmap hva=0 pages=4"]

    /// Added in the INIT_SHARED world (`--gmem-init-shared`, which implies --gmem-mmap): the pfn
    /// cache on gfn 1 of slot 0, whose hva is the VMM's mapping of the guest_memfd (so a punch
    /// hole's truncation must invalidate it through the MMU notifier). 31 operations there:
    /// 31 / 527 / 5,983 / 52,359 scenarios (30 / 495 / 5,455 / 46,375 before aging; 29 / 464 /
    /// 4,959 / 40,919 before the failing move).
    public static let gmemInitSharedLines = ["gpc activate gfn=1"]

    public static func lines(for config: WorldConfig) -> [String] {
        config.gmemInitShared && !config.mirrorTDP ? lines + gmemMmapLines + gmemInitSharedLines
            : config.gmemMmap ? lines + gmemMmapLines : lines
    }

    public static var ops: [Event] { ops(for: .default) }

    public static func ops(for config: WorldConfig) -> [Event] {
        lines(for: config).map { try! Schedule(text: $0).events[0] }
    }

    /// Every multiset of 1...n menu operations (an operation may appear twice: its second
    /// instance starts after the first finished, on the same actor), in a fixed order: by size,
    /// then lexicographically by menu index.
    public static func scenarios(upTo n: Int, config: WorldConfig = .default) -> [Scenario] {
        let m = ops(for: config)
        var out: [Scenario] = []
        func rec(_ start: Int, _ left: Int, _ cur: inout [Event]) {
            if left == 0 { out.append(Scenario(ops: cur)); return }
            for i in start..<m.count {
                cur.append(m[i])
                rec(i, left - 1, &cur)
                cur.removeLast()
            }
        }
        for k in 1...max(1, n) {
            var cur: [Event] = []
            rec(0, k, &cur)
        }
        return out
    }

    /// Scenario i of the enumeration belongs to shard (i mod count).
    public static func shard(_ all: [Scenario], index: Int, count: Int) -> [(Int, Scenario)] {
        all.enumerated().filter { $0.offset % count == index }.map { ($0.offset, $0.element) }
    }
}
