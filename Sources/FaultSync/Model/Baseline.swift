/// The upstream kernel this model follows, the places where that kernel itself breaks an oracle
/// (findings), and the candidate fixes the model can switch on.
public enum KernelBaseline {
    /// The tree and commit whose code the model follows, read through the search tool on
    /// 2026-11-26. The index's copies of torvalds/linux for these files are old (mmu.c ~v6.10,
    /// without KVM_PRE_FAULT_MEMORY), so the newest tree it holds is the baseline: linux-next at
    /// 6.19-rc5, as mirrored by ColinIanKing/linux-next.
    public static let tree = "linux-next"
    public static let commit = "1c60d04aac53"
    /// The other files, from the same mirror at nearby commits.
    public static let files = [
        ("arch/x86/kvm/mmu/mmu.c, arch/x86/kvm/mmu/tdp_mmu.c", "1c60d04aac53"),
        ("virt/kvm/kvm_main.c (page aging: kvm_handle_hva_range with .lockless, kvm_age_hva_range, kvm_mmu_notifier_clear_flush_young / _clear_young / _test_young read again on 2026-11-29)", "03b9d3141510 (older than the tree: without 9935df5333aa \"KVM: Disallow toggling KVM_MEM_GUEST_MEMFD on an existing memslot\" and af62fe2494da, both in 6.19-rc1, which the model's guest_memfd-slot immutability follows)"),
        ("arch/x86/kvm/x86.c (kvm_arch_prepare_memory_region)", "046408cfa3eb"),
        ("include/linux/kvm_host.h", "a66ec810c5cc"),
        ("arch/x86/kvm/mmu/mmu.h (kvm_mmu_reload)", "20a6cff3b283 applied (not stored for linux-next)"),
        ("virt/kvm/guest_memfd.c", "torvalds/linux 01f492e1817e (same invalidation, bind, release and error-folio code as linux-next 0726d3e164f1)"),
        ("virt/kvm/pfncache.c", "Kingxukai/linux 0291023e7330 (~6.17; linux-next's copy is not in the index)"),
        ("mm/truncate.c (truncate_inode_pages_range, the environment)", "Kingxukai/linux 0291023e7330 (~6.17)"),
    ]
    public static let description = "\(tree) @ \(commit) (6.19-rc5)"
}

/// A behaviour of the baseline kernel that violates an oracle. Not a bug variant: the plain
/// baseline has it. Each has a candidate fix, a model switch in `FixSet`; the "correct"
/// configuration that campaigns must find nothing on is the baseline with every fix applied.
public enum Finding: UInt8, CaseIterable, Sendable {
    case prefaultObsoleteRootSpin
    case gpcHvaRefreshMissesInvalidation
    case gmemMmapSharedZap
    case gmemPunchHoleRefaultLivelock
    case noslotFaultSpuriousWarn
    case nxRecoveryNoSlotWarn
    case nxUnaccountWrongMmuType
    case notifierYieldSkipsPendingFlush

    public var name: String {
        switch self {
        case .prefaultObsoleteRootSpin: return "prefault-obsolete-root-spin"
        case .gpcHvaRefreshMissesInvalidation: return "gpc-hva-refresh-misses-invalidation"
        case .gmemMmapSharedZap: return "gmem-mmap-shared-not-zapped"
        case .gmemPunchHoleRefaultLivelock: return "gmem-punch-hole-refault-livelock"
        case .noslotFaultSpuriousWarn: return "noslot-fault-spurious-warn"
        case .nxRecoveryNoSlotWarn: return "nx-recovery-deleted-slot-warn"
        case .nxUnaccountWrongMmuType: return "nx-recovery-unaccount-wrong-mmu-type"
        case .notifierYieldSkipsPendingFlush: return "notifier-yield-skips-pending-flush"
        }
    }

    /// One line: what the baseline does wrong.
    public var summary: String {
        switch self {
        case .prefaultObsoleteRootSpin:
            return "KVM_PRE_FAULT_MEMORY loads the root once (kvm_mmu_reload) and kvm_tdp_map_page() retries without reloading it; once kvm_mmu_zap_all_fast() (memslot delete/move, nx_huge_pages toggle) invalidates that root, is_page_fault_stale() is true on every attempt and the ioctl spins, holding kvm->srcu, until a signal"
        case .gpcHvaRefreshMissesInvalidation:
            return "an hva-based gfn_to_pfn_cache (kvm_gpc_activate_hva) whose uhva is in no memslot: an MMU-notifier invalidation that starts and ends while hva_to_pfn_retry() has gpc->lock dropped, after its hva_to_pfn(), bumps neither mmu_invalidate_seq (no memslot is hit) nor leaves mn_active_invalidate_count raised, so mmu_notifier_retry_cache() passes and the cache is published valid with the page the host has just unmapped and frees"
        case .gmemMmapSharedZap:
            return "a VM with private memory and mirrored TDP (TDX) may create its guest_memfd with GUEST_MEMFD_FLAG_MMAP (not INIT_SHARED): kvm_gmem_bind() makes the slot KVM_MEMSLOT_GMEM_ONLY, so a shared fault there maps a guest_memfd folio through a direct-root SPTE; fallocate(PUNCH_HOLE) invalidates with KVM_FILTER_PRIVATE (kvm_gmem_get_invalidate_filter), which zaps mirror roots only, and truncates the folio: the shared SPTE is left mapping freed memory"
        case .noslotFaultSpuriousWarn:
            return "a fault on a gfn with no memslot (emulated MMIO: fault->pfn = KVM_PFN_NOSLOT) checks nothing at mmu_lock that a memslot creation changes (is_page_fault_stale() tests mmu_invalidate_retry_gfn() only when fault->slot is set, and a create zaps nothing and invalidates nothing); when userspace creates a memslot over that gfn after the fault's memslot lookup and another vCPU maps the new page before the fault takes mmu_lock, tdp_mmu_map_handle_target_level() finds a present leaf and treats the fault as spurious after WARN_ON_ONCE(fault->pfn != spte_to_pfn(iter->old_spte)) (988da7820206), which KVM_PFN_NOSLOT never equals: a host WARN (a panic with panic_on_warn) from a race of two vCPUs and a memslot update. Without A/D bits (--no-ad-bits), when the other vCPU's mapping is access-tracked (a KVM_PRE_FAULT_MEMORY's, or one lockless page aging marked) and MMU-writable and the fault a KVM_RUN one, the fault is not spurious: make_mmio_spte() replaces the leaf after WARN_ON_ONCE(leaf_spte_change_needs_tlb_flush()) (the old SPTE is MMU-writable, the MMIO one is not), and the access is emulated as MMIO"
        case .nxRecoveryNoSlotWarn:
            return "the NX recovery thread looks a possible NX huge page's gfn up (kvm_mmu_sp_dirty_logging_enabled, whenever a memslot logs dirty pages) and WARNs when no memslot covers it (WARN_ON_ONCE(!slot); a panic with panic_on_warn). Two roads: a memslot delete/move that zaps only the memslot's leaf SPTEs (kvm_mmu_zap_memslot: every VM type but KVM_X86_DEFAULT_VM, or the default type without KVM_X86_QUIRK_SLOT_ZAP_ALL) leaves the table linked and listed, with no race; and, with the zap of every root, the read-lock recovery (a57750909580, 6.18) takes the table from the list before kvm_tdp_mmu_zap_invalidated_roots() zaps it, and the delete's last memslots swap comes before its lookup (the deleted slot's own dirty logging is counted until kvm_commit_memory_region())"
        case .nxUnaccountWrongMmuType:
            return "the NX recovery thread takes each TDP MMU page it recovers off possible_nx_huge_pages[KVM_TDP_MMU] with unaccount_nx_huge_page(), which calls untrack_possible_nx_huge_page(kvm, sp, KVM_SHADOW_MMU) whatever the page's MMU (6777885605e1, a57750909580): the shadow MMU's nr_pages is decremented (it wraps around on a VM without shadow pages) and the TDP MMU's never is (tdp_mmu_unlink_sp() then finds nx_huge_page_disallowed clear). nx_huge_pages_to_zap() = DIV_ROUND_UP(nr_pages, nx_huge_pages_recovery_ratio) then also counts every page the recovery ever took: while exec faults keep refilling the list, each period zaps a growing share of it instead of 1/ratio. No memory is corrupted; the recovery rate the parameters set is lost"
        case .notifierYieldSkipsPendingFlush:
            return "an MMU-notifier invalidation whose hva range is mapped by two memslots (side by side in the range, aliases of one range, or a memslot and its SMM address-space twin) zaps the first memslot's SPTEs and records the flush only in kvm_handle_hva_range()'s r.ret; the second memslot's handler starts with flush = false (kvm_unmap_gfn_range()), so when tdp_mmu_zap_leafs() yields mmu_lock (a blockable range, contended) before it zaps anything, tdp_mmu_iter_cond_resched() flushes nothing. A second invalidation of the same pages that runs in that window finds their SPTEs already zapped, flushes nothing, returns, and its caller frees the pages while vCPU TLBs may still translate the first memslot's gfns to them (the flush a835429cda91 made the TDP MMU's range zap honour across roots is not carried across memslots). KVM_SET_MEMORY_ATTRIBUTES has the same pattern (kvm_handle_gfn_range(): ret |= per memslot, may_block): a conversion over two memslots, with an MMU-notifier invalidation of the first memslot's pages in that window"
        case .gmemPunchHoleRefaultLivelock:
            return "an INIT_SHARED guest_memfd mapped by the VMM: kvm_gmem_fault_user_mapping() takes no lock that fallocate(PUNCH_HOLE) holds, so a GUP of the mapping (here a gfn_to_pfn_cache refresh, which retries because the truncation's own unmap_mapping_folio() invalidation is in flight) faults a new folio into a hole of two or more pages: phase 2 of truncate_inode_pages_range() restarts whenever a lookup found a folio before the hole's last page (the next lookup, past it, finds nothing), and a refault of that page before the restarted lookup from the start makes it find, unmap and restart again, and so on: under a schedule that lets each step run in turn, neither ends (a race each pass in a real kernel; a one-page hole never restarts)"
        }
    }

    /// The candidate fix, as the model switch does it.
    public var fix: String {
        switch self {
        case .prefaultObsoleteRootSpin:
            return "kvm_tdp_map_page() calls kvm_mmu_reload() (which frees obsolete roots since 20a6cff3b283) before each kvm_mmu_do_page_fault() attempt"
        case .gpcHvaRefreshMissesInvalidation:
            return "kvm_mmu_notifier_invalidate_range_end() bumps a count of finished invalidations (under mn_invalidate_lock, memslot hit or not); hva_to_pfn_retry() snapshots it with mmu_invalidate_seq and mmu_notifier_retry_cache() retries if it moved (a sketch, not a posted patch; docs/findings/gpc-hva-refresh-misses-invalidation.md)"
        case .gmemMmapSharedZap:
            return "kvm_gmem_get_invalidate_filter() returns KVM_FILTER_PRIVATE | KVM_FILTER_SHARED when the file has GUEST_MEMFD_FLAG_MMAP (its slots are gmem-only, so shared SPTEs may map its folios), as 5d3341d684be does for INIT_SHARED (a sketch, not a posted patch)"
        case .noslotFaultSpuriousWarn:
            return "tdp_mmu_map_handle_target_level() WARNs on a PFN change for a spurious fault only when the fault has a memslot (WARN_ON_ONCE(fault->slot && fault->pfn != spte_to_pfn(old))); a no-slot fault over a present leaf stays RET_PF_SPURIOUS whatever the access (fault->prefetch || !fault->slot || is_access_allowed()), so that without A/D bits it does not replace an access-tracked leaf either, and the guest's retried access finds the new memory (a sketch, not a posted patch)"
        case .nxRecoveryNoSlotWarn:
            return "kvm_mmu_sp_dirty_logging_enabled() treats a page table with no memslot as not dirty-logged without a WARN (a table left behind by a memslot delete/move maps nothing and is zapped as any other possible NX huge page; one the root zap removed after the recovery took it is already gone); it covers both roads (a sketch, not a posted patch)"
        case .nxUnaccountWrongMmuType:
            return "unaccount_nx_huge_page() takes the page's MMU type and passes it on: kvm_recover_nx_huge_pages() passes its mmu_type, the shadow MMU's callers KVM_SHADOW_MMU (or untrack with is_tdp_mmu_page(sp) ? KVM_TDP_MMU : KVM_SHADOW_MMU) (a sketch, not a posted patch)"
        case .notifierYieldSkipsPendingFlush:
            return "kvm_handle_hva_range() passes the pending unmap flush into each kvm_unmap_gfn_range() call (e.g. a flush field of struct kvm_gfn_range it starts from instead of false), as kvm_zap_gfn_range() threads its flush through every memslot and root, or flushes at a memslot boundary when r.ret is set and the range may block: tdp_mmu_iter_cond_resched() then never yields with a zap of the invalidation unflushed and kvm_handle_gfn_range() likewise (a sketch, not a posted patch; not for the aging handlers, which need r.ret |=)"
        case .gmemPunchHoleRefaultLivelock:
            return "kvm_gmem_fault_user_mapping() takes filemap_invalidate_lock_shared() around kvm_gmem_get_folio(), as filemap_fault() does to instantiate a folio, so a fault into a range being punched waits for the punch hole (shmem_fault() waits on shmem_falloc instead) (a sketch, not a posted patch)"
        }
    }

    /// The world its reproducers run in (plain baseline: no fixes).
    public var world: WorldConfig {
        var c = WorldConfig()
        c.fixes = .none
        if self == .gmemMmapSharedZap { c.gmemMmap = true; c.mirrorTDP = true }
        if self == .gmemPunchHoleRefaultLivelock { c.gmemMmap = true; c.gmemInitShared = true }
        if self == .nxRecoveryNoSlotWarn { c.zapAllOnSlotChange = false }
        return c
    }

    /// The violation is found at quiescence only, after the whole schedule ran: the input
    /// explored everything the correct kernel would, so a baseline campaign keeps it as a
    /// stepping stone (the fuzz target returns 0, not -1). Its `Why` is its own:
    /// `Finding.quickClassify` names it without re-running the input.
    public var atQuiescenceOnly: Bool { self == .nxUnaccountWrongMmuType }

    public var fixFlag: FixSet { FixSet(rawValue: 1 << rawValue) }
    public var doc: String { "docs/findings/\(name).md" }

    public static func named(_ s: String) -> Finding? { allCases.first { $0.name == s } }
}

/// Candidate fixes for the findings, applied on top of the baseline.
public struct FixSet: OptionSet, Sendable, Equatable {
    /// One bit per finding (`Finding.rawValue`): room for 16.
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let none = FixSet([])
    public static let all = FixSet(rawValue: UInt16((1 << Finding.allCases.count) - 1))
    @inline(__always) public func has(_ f: Finding) -> Bool { rawValue & (1 << f.rawValue) != 0 }
}
