/// Bug-injection switches. Each removes exactly one protection; `none` is the correct model.
/// Oracles never look at the variant.
public enum Variant: UInt8, CaseIterable, Sendable {
    case none
    case noSeqRecheck
    case swapIgnoresMnCount
    case noSynchronizeSrcu
    case seqSnapshotAfterLookup
    case noInProgressCheck
    case endWithoutSeqBump
    case rangeAddOverwrite
    case unconditionalEnd
    case invalidateEndAfterUnlock
    case zapBeforeRangeAdd
    case reuseInactiveBeforeSync
    case srcuUnlockBeforeInstall
    case invalidSlotAsNoSlot
    case attrNoHeadTailRanges
    case recoverHugeWithoutLeaf
    case seqSnapshotInt32
    case prefaultRetryHoldsSrcu
    case noObsoleteRootCheck
    case hostWalkDoubleRead
    case reloadIgnoresObsoleteRequest
    case zapInvalidatedRootsAtLastPut
    case zapGfnRangeWithoutInvalidation
    case gpcRetryIgnoresMnCount
    case gpcRefreshWithoutMutex
    case gmemInvalidateEndBeforeTruncate
    case gmemUnbindWithoutInvalidateLock
    case gmemUnbindIgnoresDyingFile
    case gmemFaultNoRetryCheck
    case gmemReleaseWithoutInvalidation
    case gmemErrorWithoutInvalidation
    case mmioGenSingleBump
    case nxTrackWithoutRecheck
    case eagerSplitStaleSpte
    case nxRecoveryNoTlbFlush
    case notifierNoTlbFlush
    case rootZapFlushNotCarried
    case gmemSlotModifyDropsFlag
    case fastPfPlainWrite
    case agePlainWrite
    case ageWithoutSrcu

    public var name: String {
        switch self {
        case .none: return "none"
        case .noSeqRecheck: return "no-seq-recheck"
        case .swapIgnoresMnCount: return "swap-ignores-mn-count"
        case .noSynchronizeSrcu: return "no-synchronize-srcu"
        case .seqSnapshotAfterLookup: return "seq-snapshot-after-lookup"
        case .noInProgressCheck: return "no-in-progress-check"
        case .endWithoutSeqBump: return "end-without-seq-bump"
        case .rangeAddOverwrite: return "range-add-overwrite"
        case .unconditionalEnd: return "unconditional-end"
        case .invalidateEndAfterUnlock: return "invalidate-end-after-unlock"
        case .zapBeforeRangeAdd: return "zap-before-range-add"
        case .reuseInactiveBeforeSync: return "reuse-inactive-before-sync"
        case .srcuUnlockBeforeInstall: return "srcu-unlock-before-install"
        case .invalidSlotAsNoSlot: return "invalid-slot-as-no-slot"
        case .attrNoHeadTailRanges: return "attr-no-head-tail-ranges"
        case .recoverHugeWithoutLeaf: return "recover-huge-without-leaf"
        case .seqSnapshotInt32: return "seq-snapshot-int32"
        case .prefaultRetryHoldsSrcu: return "prefault-retry-holds-srcu"
        case .noObsoleteRootCheck: return "no-obsolete-root-check"
        case .hostWalkDoubleRead: return "host-walk-double-read"
        case .reloadIgnoresObsoleteRequest: return "reload-ignores-obsolete-request"
        case .zapInvalidatedRootsAtLastPut: return "zap-invalidated-roots-at-last-put"
        case .zapGfnRangeWithoutInvalidation: return "zap-gfn-range-without-invalidation"
        case .gpcRetryIgnoresMnCount: return "gpc-retry-ignores-mn-count"
        case .gpcRefreshWithoutMutex: return "gpc-refresh-without-mutex"
        case .gmemInvalidateEndBeforeTruncate: return "gmem-invalidate-end-before-truncate"
        case .gmemUnbindWithoutInvalidateLock: return "gmem-unbind-without-invalidate-lock"
        case .gmemUnbindIgnoresDyingFile: return "gmem-unbind-ignores-dying-file"
        case .gmemFaultNoRetryCheck: return "gmem-fault-no-retry-check"
        case .gmemReleaseWithoutInvalidation: return "gmem-release-without-invalidation"
        case .gmemErrorWithoutInvalidation: return "gmem-error-without-invalidation"
        case .mmioGenSingleBump: return "mmio-gen-single-bump"
        case .nxTrackWithoutRecheck: return "nx-track-without-recheck"
        case .eagerSplitStaleSpte: return "eager-split-stale-spte"
        case .nxRecoveryNoTlbFlush: return "nx-recovery-no-tlb-flush"
        case .notifierNoTlbFlush: return "notifier-no-tlb-flush"
        case .rootZapFlushNotCarried: return "root-zap-flush-not-carried"
        case .gmemSlotModifyDropsFlag: return "gmem-slot-modify-drops-flag"
        case .fastPfPlainWrite: return "fast-pf-plain-write"
        case .agePlainWrite: return "age-plain-write"
        case .ageWithoutSrcu: return "age-without-srcu"
        }
    }

    /// What the switch removes, and the kernel code / commit it breaks or reproduces.
    public var breaks: String {
        switch self {
        case .none: return "nothing: the correct model"
        case .noSeqRecheck:
            return "mmu_invalidate_seq is never compared: F8 mmu_invalidate_retry_gfn() checks only in_progress/range, and the F6f/F6i mmu_invalidate_retry_gfn_unsafe() pre-checks likewise"
        case .swapIgnoresMnCount:
            return "W2 kvm_swap_active_memslots() publishes without waiting for mn_active_invalidate_count == 0 (reverts 52ac8b358b0c, B1)"
        case .noSynchronizeSrcu:
            return "W6 synchronize_srcu() skipped: old memslots are reused/freed before the grace period"
        case .seqSnapshotAfterLookup:
            return "F6a mmu_seq snapshot taken after the pfn lookup F6g instead of before (smp_rmb ordering); the F6b-d checks (attributes) then also run before the snapshot, and the F6f pre-check has nothing to compare and passes"
        case .noInProgressCheck:
            return "mmu_invalidate_in_progress and the range are never tested: F8 mmu_invalidate_retry_gfn() and the F6f/F6i pre-checks compare only mmu_invalidate_seq"
        case .endWithoutSeqBump:
            return "kvm_mmu_invalidate_end() does not increment mmu_invalidate_seq"
        case .rangeAddOverwrite:
            return "kvm_mmu_invalidate_range_add() overwrites instead of merging while in_progress == 1 (B3, caught in review of 8569992d64b8)"
        case .unconditionalEnd:
            return "range_end calls kvm_mmu_invalidate_end even when no memslot is hit (start elided, end not; hazard closed by 071064f14d87)"
        case .invalidateEndAfterUnlock:
            return "kvm_mmu_invalidate_end() runs after mmu_lock is dropped (lockdep_assert_held_write; cf. guest_memfd fix of 8e9009ca6d14)"
        case .zapBeforeRangeAdd:
            return "the zap (which may yield mmu_lock) runs before invalidate_begin/range_add (kvm_zap_gfn_range ordering rule)"
        case .reuseInactiveBeforeSync:
            return "kvm_activate_memslot() modifies the now-inactive memslots before synchronize_srcu() returns"
        case .srcuUnlockBeforeInstall:
            return "the fault leaves its SRCU read section after the pfn lookup, before mmu_lock and install"
        case .invalidSlotAsNoSlot:
            return "F6d removed: a fault on a KVM_MEMSLOT_INVALID slot takes the no-slot (MMIO) path (B4, e0c378684b65)"
        case .attrNoHeadTailRanges:
            return "kvm_arch_pre_set_memory_attributes() does not range_add the head/tail huge pages (B9, 9129633d568e)"
        case .recoverHugeWithoutLeaf:
            return "H4 huge-page recovery promotes over a non-leaf child, reading the host mapping itself (host_pfn_mapping_level rule)"
        case .seqSnapshotInt32:
            return "mmu_seq snapshot kept as a 32-bit signed int and sign-extended (B6, 6.1.y stable fix)"
        case .prefaultRetryHoldsSrcu:
            return "KVM_PRE_FAULT_MEMORY loops on an INVALID slot without leaving SRCU (B10, 3ccbf6f47098)"
        case .noObsoleteRootCheck:
            return "F8 is_page_fault_stale() skips the obsolete-root test after kvm_mmu_zap_all_fast() (B5, a955cad84cda)"
        case .hostWalkDoubleRead:
            return "F10 host_pfn_mapping_level() takes the level from a first read of the host PMD made before the F6a snapshot, not from one READ_ONCE under mmu_lock after F8 (B7, 44187235cbcc)"
        case .reloadIgnoresObsoleteRequest:
            return "P0 kvm_mmu_reload() keeps a loaded root even when KVM_REQ_MMU_FREE_OBSOLETE_ROOTS is pending, so a prefault that starts on an obsolete root retries until a signal (B11, reverts 20a6cff3b283)"
        case .zapGfnRangeWithoutInvalidation:
            return "A1 kvm_zap_gfn_range() zaps without kvm_mmu_invalidate_begin/range_add/end, so a fault that read \"APICv active\" before the inhibit maps the APIC access page after the zap (reverts edb298c663fc)"
        case .gpcRetryIgnoresMnCount:
            return "C6 mmu_notifier_retry_cache() tests mmu_invalidate_in_progress and the seq (as mmu_notifier_retry_hva() did) instead of mn_active_invalidate_count (and not the count of finished invalidations of finding gpc-hva-refresh-misses-invalidation's candidate fix): the notifier invalidates the cache (N2) before it raises in_progress (N3), so a refresh that looked up the page after N2 publishes it, and the host then frees it"
        case .gpcRefreshWithoutMutex:
            return "gpc->refresh_lock is never taken (kvm_gpc_refresh, __kvm_gpc_activate, kvm_gpc_deactivate): two refreshes, or a refresh and a deactivate, interleave while one has gpc->lock dropped for hva_to_pfn()"
        case .gmemInvalidateEndBeforeTruncate:
            return "kvm_gmem_punch_hole() calls kvm_gmem_invalidate_end() before truncate_inode_pages_range(): a private fault that snapshots mmu_invalidate_seq after the end maps a folio that the truncation then frees"
        case .gmemUnbindWithoutInvalidateLock:
            return "kvm_gmem_unbind() removes the binding without filemap_invalidate_lock: a memslot delete unbinds between a punch hole's kvm_gmem_invalidate_begin() and _end(), which then finds no binding and skips kvm_mmu_invalidate_end()"
        case .gmemSlotModifyDropsFlag:
            return "M1 refuses to modify a guest_memfd memslot only when the request has KVM_MEM_GUEST_MEMFD and compares only KVM_MEM_READONLY with the old flags, so a MOVE or FLAGS_ONLY request without KVM_MEM_GUEST_MEMFD (every move/flags of slot 0 here) goes through: the new slot is a plain one, and M7 kfree()s old without kvm_gmem_unbind() (only DELETE unbinds), leaving the guest_memfd's binding to the freed slot, which the next invalidation of the file dereferences"
        case .gmemUnbindIgnoresDyingFile:
            return "M7 kvm_gmem_unbind() returns when get_file_active() fails (the file's last reference is gone, kvm_gmem_release() not yet run) and leaves the binding to the memslot it frees; kvm_gmem_release() then writes slot->gmem.file = NULL through the freed slot"
        case .gmemReleaseWithoutInvalidation:
            return "kvm_gmem_release() clears slot->gmem.file but skips __kvm_gmem_invalidate_begin/end (no zap): private SPTEs survive the release and map folios that the inode's eviction frees"
        case .gmemErrorWithoutInvalidation:
            return "kvm_gmem_error_folio() skips kvm_gmem_invalidate_begin/end (no zap, no mmu_invalidate_* update): a private SPTE installed before the memory failure keeps mapping the poisoned folio after the handler returns"
        case .gmemFaultNoRetryCheck:
            return "private faults skip mmu_invalidate_retry_gfn() in F8 (and the F6f/F6i pre-checks): guest_memfd takes no lock a fault waits for, so nothing else stops a fault from mapping a folio a punch hole truncates"
        case .mmioGenSingleBump:
            return "kvm_swap_active_memslots() gives the new memslots generation + 1 at the swap (W1/W3) and leaves it there: no update-in-progress flag, no second increment after synchronize_srcu_expedited() (W7). A fault that found no memslot before the swap makes its MMIO SPTE after it, with the new generation, which then stays valid (B12)"
        case .nxTrackWithoutRecheck:
            return "F11t kvm_tdp_mmu_map() adds the page table it linked for an executable fault to possible_nx_huge_pages without re-checking sp->nx_huge_page_disallowed under tdp_mmu_pages_lock: when another task zapped the new table between the link and the tracking (tdp_mmu_unlink_sp() cleared the flag and found it on no list), the table, handed to call_rcu(), goes on the list and is freed there"
        case .eagerSplitStaleSpte:
            return "E3 tdp_mmu_split_huge_pages_root(), after retaking mmu_lock to allocate the page table, splits the huge SPTE it read before dropping the lock and links the table with a plain write, instead of restarting at the SPTE (iter.yielded = true) and linking by cmpxchg against the value read under the lock: an MMU-notifier invalidation that zapped the huge SPTE meanwhile (and the host that then freed its pages) is undone by 4K SPTEs mapping the old pages"
        case .nxRecoveryNoTlbFlush:
            return "Y3 kvm_recover_nx_huge_pages() drops the `flush` that kvm_tdp_mmu_zap_possible_nx_huge_page() returned: no kvm_mmu_remote_flush_or_zap() flush before read_unlock(mmu_lock), so vCPU TLBs may still translate the zapped table's gfns to their pages; a later invalidation that finds those SPTEs already gone zaps nothing, flushes nothing, and lets the host free the pages"
        case .notifierNoTlbFlush:
            return "N3 kvm_mmu_notifier_invalidate_range_start() runs its zap with flush_on_ret = false and tdp_mmu_zap_leafs() yields without flushing: invalidate_range_start() returns with the zapped SPTEs' translations still in vCPU TLBs, and the host frees the pages (I7)"
        case .rootZapFlushNotCarried:
            return "kvm_tdp_mmu_unmap_gfn_range() starts each root's tdp_mmu_zap_leafs() from flush = false and ORs the results (flush |= ...): when the valid root's walk zapped SPTEs and the next root's walk (an invalid root still listed: a vCPU or kvm_tdp_mmu_zap_invalidated_roots() holds it) yields mmu_lock, tdp_mmu_iter_cond_resched() flushes nothing; a second invalidation of the same pages in that window zaps nothing, flushes nothing, and lets the host free pages vCPU TLBs may still map. The same on the walk of kvm_mmu_zap_memslot() (a delete/move without the zap-all quirk, world --no-slot-zap-all), whose yield is then the window"
        case .zapInvalidatedRootsAtLastPut:
            return "R6 removed: kvm_mmu_zap_all_fast() returns without kvm_tdp_mmu_zap_invalidated_roots(); an invalidated root is zapped only when its last reference is put, which the code comment in kvm_mmu_zap_all_fast() says \"would lead to use-after-free\" (B13)"
        case .fastPfPlainWrite:
            return "F2b fast_page_fault() -> fast_pf_fix_direct_spte() restores the access-tracked SPTE it read at F2a with a plain store instead of try_cmpxchg64() against that value: an MMU-notifier invalidation that zapped the SPTE in between (and the host that then freed the page) is undone, and the SPTE maps the freed page. Only a world without A/D bits has the lockless path: the variant implies --no-ad-bits (World.init); over a page table linked in between it does nothing (the model has no entry there to overwrite), and a 4K store lands in the page table linked now (the kernel's would land in the removed one when the table was replaced)"
        case .agePlainWrite:
            return "AG2b kvm_tdp_mmu_age_spte() (page aging without A/D bits, CONFIG_KVM_MMU_LOCKLESS_AGING: no mmu_lock) stores mark_spte_for_access_track() of the SPTE AG2 read with a plain write (AG2b) instead of __tdp_mmu_set_spte_atomic()'s try_cmpxchg64() against that value: an MMU-notifier invalidation that zapped the SPTE in between (and the host that then freed the page) is undone by an access-tracked SPTE mapping the freed page. Implies --no-ad-bits (World.init): with A/D bits aging clears only the Accessed bit, atomically. Over a page table linked in between the store does nothing (the model has no entry there to overwrite)"
        case .ageWithoutSrcu:
            return "AG1 kvm_handle_hva_range() walks the memslots for page aging without srcu_read_lock(&kvm->srcu): a memslot delete's synchronize_srcu_expedited() does not wait for the walk, and kvm_free_memslot() frees the slot the walk is at (range->slot; I8)"
        }
    }

    /// Where the variant comes from: the kernel commit it reverts (id and title as upstream has
    /// them), or "synthetic" (a protection removed to show why it exists), or a proxy.
    public var origin: String {
        switch self {
        case .none: return "-"
        case .noSeqRecheck, .noInProgressCheck, .endWithoutSeqBump, .noSynchronizeSrcu,
             .reuseInactiveBeforeSync, .srcuUnlockBeforeInstall, .zapBeforeRangeAdd, .recoverHugeWithoutLeaf,
             .seqSnapshotAfterLookup:
            return "synthetic"
        case .nxRecoveryNoTlbFlush:
            return "reverts 048f49809c52 \"KVM: x86/mmu: Ensure TLBs are flushed for TDP MMU during NX zapping\" (v5.12), on today's read-locked recovery (a57750909580): the TDP MMU's zap of the NX page table returns `flush` and the caller ignores it"
        case .notifierNoTlbFlush:
            return "synthetic: shows why kvm_mmu_notifier_invalidate_range_start() sets flush_on_ret (\"flush before unlock\", reference N3f)"
        case .rootZapFlushNotCarried:
            return "reverts a835429cda91 \"KVM: x86/mmu: Ensure TLBs are flushed when yielding during GFN range zap\" (March 2021, Fixes: 1af4a96025b3) transplanted onto today's kvm_tdp_mmu_unmap_gfn_range() (in 2021 the bug was in kvm_tdp_mmu_zap_gfn_range(); the notifier's zap could not yield then): each root's walk starts from nothing pending again (before it, `flush |= zap_gfn_range(kvm, root, start, end, true)` with a local flush_needed = false per walk). Nothing passed in is flushed at a yield either, so the finding notifier-yield-skips-pending-flush's fix does not close its window under this variant"
        case .eagerSplitStaleSpte:
            return "synthetic: two protections of tdp_mmu_split_huge_pages_root() removed together (the restart after the allocation and the cmpxchg of tdp_mmu_link_sp()), since either alone keeps the stale SPTE out"
        case .swapIgnoresMnCount:
            return "reverts 52ac8b358b0c \"KVM: Block memslot updates across range_start() and range_end()\" (v5.15), keeping 071064f14d87's lock elision: a state no release had"
        case .rangeAddOverwrite:
            return "reproduces the bug caught in review of RFC v12 of 8569992d64b8 \"KVM: Use gfn instead of hva for mmu_notifier_retry\" (never merged)"
        case .unconditionalEnd:
            return "synthetic: breaks the \"elide in both or neither\" rule of 071064f14d87 \"KVM: Don't take mmu_lock for range invalidation unless necessary\""
        case .invalidateEndAfterUnlock:
            return "synthetic: injected in the notifier's range_end (N5); the similar pre-merge bug (2023) was in the attribute path's post_set, and its Fixes tag named 8e9009ca6d14, a pre-merge id of \"KVM: Introduce per-page memory attributes\" (upstream 5a475554db1e), which Sean called wrong. Steps are atomic, so only the lock-discipline oracle can show it"
        case .invalidSlotAsNoSlot:
            return "reverts e0c378684b65 \"KVM: x86/mmu: Retry page faults that hit an invalid memslot\" (v5.12)"
        case .attrNoHeadTailRanges:
            return "reverts 9129633d568e \"KVM: x86/mmu: Prevent installing hugepages when mem attributes are changing\" (v6.15)"
        case .seqSnapshotInt32:
            return "reproduces the 6.1.y stable-only fix \"KVM: x86/mmu: Fix an sign-extension bug with mmu_seq that hangs vCPUs\" (upstream fixed by ba6e3fe25543)"
        case .prefaultRetryHoldsSrcu:
            return "reverts 3ccbf6f47098 \"KVM: x86/mmu: Return -EAGAIN if userspace deletes/moves memslot during prefault\" (v6.18)"
        case .noObsoleteRootCheck:
            return "reverts a955cad84cda \"KVM: x86/mmu: Retry page fault if root is invalidated by memslot update\" (v5.16)"
        case .hostWalkDoubleRead:
            return "a proxy for 44187235cbcc \"KVM: x86/mmu: fix potential races when walking host page table\" (v5.18): the real TOCTOU was inside one walk, which this model's F10 cannot open (README, Limitations)"
        case .reloadIgnoresObsoleteRequest:
            return "reverts 20a6cff3b283 \"KVM: x86/mmu: Check and free obsolete roots in kvm_mmu_reload()\" (v6.15)"
        case .zapInvalidatedRootsAtLastPut:
            return "synthetic: the design the comment in kvm_mmu_zap_all_fast() rules out; related to 0df9dab891ff \"KVM: x86/mmu: Stop zapping invalidated TDP MMU roots asynchronously\" (v6.6)"
        case .zapGfnRangeWithoutInvalidation:
            return "reverts edb298c663fc \"KVM: x86/mmu: bump mmu notifier count in kvm_zap_gfn_range\" (v5.15)"
        case .gpcRetryIgnoresMnCount:
            return "reverts the retry condition of 58cd407ca4c6 \"KVM: Fix multiple races in gfn=>pfn cache refresh\" (v5.19), race (a) of its message: the cache invalidated before mmu_notifier_count is elevated"
        case .gpcRefreshWithoutMutex:
            return "reverts 93984f19e7bc \"KVM: Fully serialize gfn=>pfn cache refresh via mutex\" (v5.19) and the deactivate part of 6addfcf27139 \"KVM: pfncache: simplify locking and make more self-contained\" (v6.9), on today's refresh code"
        case .gmemSlotModifyDropsFlag:
            return "reverts 9935df5333aa \"KVM: Disallow toggling KVM_MEM_GUEST_MEMFD on an existing memslot\" (6.19-rc1; KASAN slab-use-after-free reported by Alexander Potapenko; Fixes: a7800aa80ea4)"
        case .gmemUnbindIgnoresDyingFile:
            return "reverts ae431059e75d \"KVM: guest_memfd: Remove bindings on memslot deletion when gmem is dying\" (syzbot slab-use-after-free in kvm_gmem_release)"
        case .gmemReleaseWithoutInvalidation:
            return "synthetic: shows why kvm_gmem_release() zaps (\"Zap all SPTEs pointed at by this file\") although it does not free the memory"
        case .gmemErrorWithoutInvalidation:
            return "synthetic: shows why kvm_gmem_error_folio() invalidates although it does not truncate (\"Do not truncate the range, what action is taken in response to the error is userspace's decision\")"
        case .gmemFaultNoRetryCheck:
            return "synthetic: shows that F8's mmu_invalidate_retry_gfn() is a private fault's only protection against a punch hole"
        case .mmioGenSingleBump:
            return "reverts ee3d1570b586 \"kvm: fix potentially corrupt mmio cache\" (the second increment after synchronize_srcu_expedited(), so that the generation's low bit marked an update in progress; id and diff read in a gitweb, the title only in secondary notes) and the in-progress flag with it (bit 63, KVM_MEMSLOT_GEN_UPDATE_IN_PROGRESS, since Sean Christopherson's 2019 series with ddfd1730fd82)"
        case .nxTrackWithoutRecheck:
            return "reverts 21a36ac6b6c7 \"KVM: x86/mmu: Re-check under lock that TDP MMU SP hugepage is disallowed\" (v6.2; reported by Greg Thelen as a CONFIG_DEBUG_LIST list_add corruption in track_possible_nx_huge_page)"
        case .gmemInvalidateEndBeforeTruncate, .gmemUnbindWithoutInvalidateLock:
            return "synthetic: breaks the order of kvm_gmem_punch_hole() (\"Bindings must be stable across invalidation to ensure the start+end are balanced\"); no upstream fix of this path was found"
        case .fastPfPlainWrite:
            return "synthetic: shows that fast_page_fault()'s try_cmpxchg64() (Documentation/virt/kvm/locking.rst, section \"Fast page fault\") is the lockless path's only protection against an invalidation: it takes no mmu_lock and reads no mmu_invalidate_seq"
        case .agePlainWrite:
            return "synthetic: kvm_tdp_mmu_age_spte()'s pre-lockless store (kvm_tdp_mmu_write_spte(), safe under mmu_lock held for write) kept after dropping the lock; the patch series that made aging lockless (James Houghton, \"[PATCH v9 00/11] KVM: x86/mmu: Age sptes locklessly\", February 2025; a series title, not a commit) stores by try_cmpxchg64 (\"It is safe for the following cmpxchg to fail\")"
        case .ageWithoutSrcu:
            return "synthetic: shows that kvm->srcu is the lockless aging walk's only protection against a memslot delete (it takes no mmu_lock and no slots_lock)"
        }
    }

    /// The invariant this variant must violate.
    public var expected: Invariant? {
        switch self {
        case .none: return nil
        case .noSeqRecheck, .seqSnapshotAfterLookup, .noInProgressCheck, .endWithoutSeqBump,
             .recoverHugeWithoutLeaf, .hostWalkDoubleRead, .eagerSplitStaleSpte, .fastPfPlainWrite, .agePlainWrite:
            return .staleCommit
        case .zapBeforeRangeAdd: return .kernelWarn
        case .swapIgnoresMnCount, .unconditionalEnd: return .counterBalance
        case .rangeAddOverwrite: return .rangeCoverage
        case .invalidateEndAfterUnlock: return .lockDiscipline
        case .noSynchronizeSrcu, .reuseInactiveBeforeSync, .srcuUnlockBeforeInstall, .ageWithoutSrcu:
            return .memslotFreedUnderReader
        case .zapInvalidatedRootsAtLastPut: return .spteSurvivesDelete
        case .zapGfnRangeWithoutInvalidation: return .staleCommit
        case .gpcRetryIgnoresMnCount, .gmemInvalidateEndBeforeTruncate: return .staleCommit
        case .gpcRefreshWithoutMutex: return .kernelWarn
        case .gmemUnbindWithoutInvalidateLock: return .counterBalance
        case .gmemUnbindIgnoresDyingFile, .gmemSlotModifyDropsFlag: return .memslotFreedUnderReader
        case .gmemFaultNoRetryCheck, .gmemReleaseWithoutInvalidation, .gmemErrorWithoutInvalidation: return .staleCommit
        case .mmioGenSingleBump: return .staleMmioSpte
        case .nxRecoveryNoTlbFlush, .notifierNoTlbFlush, .rootZapFlushNotCarried: return .staleTLB
        case .nxTrackWithoutRecheck: return .kernelBug
        case .invalidSlotAsNoSlot: return .installThroughInvalidSlot
        case .attrNoHeadTailRanges: return .attributeMismatch
        case .seqSnapshotInt32: return .livelock
        case .prefaultRetryHoldsSrcu, .reloadIgnoresObsoleteRequest: return .hangUntilSignal
        case .noObsoleteRootCheck: return .obsoleteRoot
        }
    }

    /// Every invariant the removed protection guards: `expected` first, then neighbours that the
    /// same missing protection also breaks (a late snapshot also misses attribute changes; an
    /// SPTE installed outside SRCU also survives the delete).
    public var violates: [Invariant] {
        guard let e = expected else { return [] }
        switch self {
        // mmu_invalidate_seq "also serves to detect a concurrent change in attributes" (F6b)
        case .seqSnapshotAfterLookup, .noSeqRecheck, .endWithoutSeqBump: return [e, .attributeMismatch]
        case .srcuUnlockBeforeInstall: return [e, .spteSurvivesDelete]
        // An invalid root a vCPU still holds keeps SPTEs of a deleted slot (I9b); one the host
        // then frees a page under is a use-after-free (I6).
        case .zapInvalidatedRootsAtLastPut: return [e, .staleCommit]
        // kvm_unmap_gfn_range()'s lockdep assertion (debug kernels) fires at the unprotected zap;
        // without lockdep the consequence is the stale commit the old reproducers show.
        case .zapBeforeRangeAdd: return [e, .staleCommit]
        // Reproducers recorded before the signal-aware liveness verdict reported the B10 hang
        // as a plain deadlock (corpus/regressions/prefault-retry-holds-srcu/NOTE.md).
        case .prefaultRetryHoldsSrcu: return [e, .deadlock]
        // A delete that unbinds without the invalidate lock can also kfree() the slot while the
        // punch hole's invalidation still uses it (range->slot in kvm_mmu_unmap_gfn_range()):
        // a use-after-free, which the checker's shortest counterexample reaches first.
        case .gmemUnbindWithoutInvalidateLock: return [e, .memslotFreedUnderReader]
        default: return [e]
        }
    }

    /// The variant breaks a store that only a world without A/D bits makes (World.init turns
    /// them off for it, except with mirrored TDP).
    public var impliesNoAdBits: Bool { self == .fastPfPlainWrite || self == .agePlainWrite }

    public static func named(_ s: String) -> Variant? { allCases.first { $0.name == s } }
}

/// The invariants the oracles check (labels from reference/kvm-protocol.md).
public enum Invariant: UInt8, CaseIterable, Sendable {
    case staleCommit               // I5/I6  (mission oracle 1)
    case counterBalance            // I1/I2  (mission oracle 2)
    case rangeCoverage             // I3     (mission oracle 2)
    case lockDiscipline            // I14    (neighbour of 2)
    case memslotFreedUnderReader   // I8     (mission oracle 3)
    case installThroughInvalidSlot // I9a
    case spteSurvivesDelete        // I9b
    case obsoleteRoot              // I10
    case attributeMismatch         // I11
    case deadlock                  // I13c
    case livelock                  // I13a
    case hangUntilSignal           // I13c/d, ended only by a signal (-EINTR)
    case kernelBug                 // the kernel's own BUG()/KVM_BUG_ON()
    case kernelWarn                // the kernel's own WARN_ON_ONCE()/lockdep_assert
    case staleMmioSpte             // I12
    case staleTLB                  // I7

    public var name: String {
        switch self {
        case .staleCommit: return "stale-commit"
        case .counterBalance: return "counter-balance"
        case .rangeCoverage: return "range-coverage"
        case .lockDiscipline: return "lock-discipline"
        case .memslotFreedUnderReader: return "memslot-freed-under-reader"
        case .installThroughInvalidSlot: return "install-through-invalid-slot"
        case .spteSurvivesDelete: return "spte-survives-delete"
        case .obsoleteRoot: return "obsolete-root-install"
        case .attributeMismatch: return "attribute-mismatch"
        case .deadlock: return "deadlock"
        case .livelock: return "livelock"
        case .hangUntilSignal: return "hang-until-signal"
        case .kernelBug: return "kernel-bug"
        case .kernelWarn: return "kernel-warn"
        case .staleMmioSpte: return "stale-mmio-spte"
        case .staleTLB: return "stale-tlb"
        }
    }
    public var label: String {
        switch self {
        case .staleCommit: return "I5/I6"
        case .counterBalance: return "I1/I2"
        case .rangeCoverage: return "I3"
        case .lockDiscipline: return "I14"
        case .memslotFreedUnderReader: return "I8"
        case .installThroughInvalidSlot: return "I9a"
        case .spteSurvivesDelete: return "I9b"
        case .obsoleteRoot: return "I10"
        case .attributeMismatch: return "I11"
        case .deadlock: return "I13c"
        case .livelock: return "I13a"
        case .hangUntilSignal: return "I13c/d"
        case .kernelBug: return "BUG"
        case .kernelWarn: return "WARN"
        case .staleMmioSpte: return "I12"
        case .staleTLB: return "I7"
        }
    }
    public static func named(_ s: String) -> Invariant? { allCases.first { $0.name == s } }

    /// A verdict about the whole run (the drain did not finish), not about one step.
    public var isLiveness: Bool { self == .deadlock || self == .livelock || self == .hangUntilSignal }
}

/// Why an oracle fired (no strings on the hot path; rendered by `Violation.message`).
public enum Why: UInt8, Sendable {
    case installHostChanged, installPfnFreed, spteHostMismatch, sptePfnFreed, spteHostLevel
    case inProgressMismatch, inProgressNegative, mnCountMismatch, notQuiescent
    case rangeNotCovered, rangeUnset
    case writeWithoutMmuLock
    case freedWhileReader, freedWhilePublished, reusedWhileReader, useAfterFree
    case installInvalid, survivesDelete, installObsoleteRoot
    case kindMismatch
    case noRunnable, srcuWaitsForLoopingReader, retryBound
    case spinsUntilSignal
    case warnEndWithoutRange, lockdepUnmapUnprotected, bugPutValidRoot
    case apicMappedWhileInhibited, warnSpuriousPfnMismatch
    case installGmemPoisoned, spteMapsPoisoned
    case installGmemTruncated, spteGmemStale, gpcStale, gpcUseStale, warnGpcValidDuringRefresh, bugGpcValidInactive
    case mmioSpteHitsMemslot, warnSpuriousNoslot
    case nxTrackFreedSp, warnNxRecoveryNoSlot, nxPagesMismatch
    case freedWithStaleTlb
    case warnRangeAddOutsideInvalidation, warnMnCountUnderflow
    case bugLeafPfnChanged, warnNoslotReplacesLeaf
}

public struct Violation: Equatable, Sendable {
    public var invariant: Invariant
    public var why: Why
    public var actor: UInt8
    public var step: UInt32
    public var a: Int64
    public var b: Int64

    public var message: String {
        let who = Int(actor) < actorNames.count ? actorNames[Int(actor)] : "-"
        switch why {
        case .installHostChanged:
            let gfn = a & 0xFF, hva = (a >> 8) & 0xFF, lookup = a >> 16
            let changed = b & 0xFFFF_FFFF, was = (b >> 32) & 0xFFFF, now = (b >> 48) & 0xFFFF
            return "\(who) installs gfn \(gfn) -> pfn \(was), looked up at step \(lookup) (hva \(hva) -> pfn \(was)); the host changed hva \(hva) at step \(changed) (now pfn \(now)) and nothing made the fault retry"
        case .installPfnFreed: return "\(who) installs gfn \(a) -> pfn \(b), but that host page is freed"
        case .spteHostMismatch:
            return "root r\((a >> 8) & 0xFF) SPTE gfn \(a & 0xFF) maps pfn \((b >> 16) & 0xFFFF), but the host changed hva \(b & 0xFFFF) at step \(a >> 16) (now pfn \(b >> 32)) and the SPTE was not zapped"
        case .sptePfnFreed: return "SPTE gfn \(a) maps freed host pfn \(b)"
        case .spteHostLevel: return "huge SPTE at gfn \(a) but the host mapping of hva \(b) is not huge"
        case .inProgressMismatch: return "mmu_invalidate_in_progress = \(a) but \(b) invalidations are between begin and end"
        case .inProgressNegative: return "mmu_invalidate_in_progress went negative (\(a))"
        case .mnCountMismatch: return "mn_active_invalidate_count = \(a) but \(b) notifiers are between start and end"
        case .notQuiescent: return "at quiescence: mmu_invalidate_in_progress = \(a), mn_active_invalidate_count = \(b)"
        case .rangeNotCovered: return "range [\(a >> 16),\(a & 0xFFFF)) added by \(who) is not inside [range_start, range_end) = [\(b >> 16),\(b & 0xFFFF))"
        case .rangeUnset: return "in_progress = \(a) but mmu_invalidate_range is unset"
        case .writeWithoutMmuLock: return "\(who) writes mmu_invalidate_* without holding mmu_lock for write"
        case .freedWhileReader: return "memslot object \(a) freed while SRCU reader \(actorName(b)) that could see it is still inside"
        case .freedWhilePublished: return "memslot object \(a) freed while still reachable from memslots"
        case .reusedWhileReader: return "memslots container \(a) modified while SRCU reader \(actorName(b)) that could see it is still inside"
        case .useAfterFree: return "\(who) dereferences memslot object \(a), which was freed"
        case .installInvalid: return "\(who) commits a fault on gfn \(a) through a KVM_MEMSLOT_INVALID slot"
        case .installObsoleteRoot: return "\(who) installs gfn \(a) into root \(b), which kvm_mmu_zap_all_fast() made obsolete"
        case .survivesDelete: return "SPTE gfn \(a) installed through slot object \(b) survives its delete/move"
        case .kindMismatch: return "SPTE at gfn \(a) is \(b == 1 ? "private" : "shared") but the attributes of the gfns it maps say otherwise"
        case .noRunnable: return "no actor can run but \(a) have not finished"
        case .srcuWaitsForLoopingReader: return "synchronize_srcu waits for \(who), an SRCU reader that retries forever on the memslot update"
        case .retryBound: return "\(who) retried \(a) times while nothing else could make progress"
        case .warnEndWithoutRange:
            return "kvm_mmu_invalidate_end(): WARN_ON_ONCE(range_start == INVALID_GPA): \(who) added no range between start and end"
        case .warnRangeAddOutsideInvalidation:
            return "kvm_mmu_invalidate_range_add(): WARN_ON_ONCE(!kvm->mmu_invalidate_in_progress): \(who) adds gfn [\(a),\(b)) with no invalidation begun"
        case .warnMnCountUnderflow:
            return "kvm_mmu_notifier_invalidate_range_end(): WARN_ON_ONCE(!kvm->mn_active_invalidate_count): \(who) ends an invalidation that raised no count (the decrement is skipped)"
        case .lockdepUnmapUnprotected:
            return "kvm_unmap_gfn_range(): lockdep_assert_once(mmu_invalidate_in_progress || slots_lock held) fails: \(who) zaps gfn [\(a),\(b)) with no invalidation in progress"
        case .warnSpuriousPfnMismatch:
            return "tdp_mmu_map_handle_target_level(): WARN_ON_ONCE(fault->pfn != spte_to_pfn(old)): \(who) faults gfn \(a) to pfn \(b & 0xFFFF) over a present leaf mapping pfn \(b >> 16)"
        case .apicMappedWhileInhibited:
            return "APICv is inhibited and kvm_zap_gfn_range() has run, but valid root r\(b) maps the APIC access page (gfn \(a)): a fault that read APICv as active installed it after the zap"
        case .installGmemTruncated:
            return "\(who) installs private gfn \(a) -> pfn \(b & 0xFFFF), a guest_memfd folio that a punch hole truncated after the lookup (the file's page there is now \(b >> 16 == 0 ? "a hole" : "pfn \(b >> 16)")) and nothing made the fault retry"
        case .installGmemPoisoned:
            return "\(who) installs private gfn \(a) -> pfn \(b), a guest_memfd folio poisoned by memory_failure() whose kvm_gmem_error_folio() has returned: the guest can touch the poisoned page"
        case .spteMapsPoisoned:
            return "kvm_gmem_error_folio() returned, but root r\(a >> 8) guest_memfd SPTE gfn \(a & 0xFF) still maps pfn \(b), the poisoned folio: the guest can touch the poisoned page"
        case .spteGmemStale:
            return "root r\((a >> 8) & 0xFF) guest_memfd SPTE gfn \(a & 0xFF) (private, or shared on a gmem-only slot) maps pfn \(b & 0xFFFF), which guest_memfd truncated (the file's page there is now \(b >> 16 == 0 ? "a hole" : "pfn \(b >> 16)")), and the SPTE was not zapped"
        case .gpcStale:
            return "gfn_to_pfn_cache is valid (kvm_gpc_check passes) with pfn \(a), but the host maps hva \(b & 0xFF) to pfn \(b >> 8) now: its users read and write a page the host freed"
        case .gpcUseStale:
            return "\(who) accesses gpc->khva (pfn \(a)) after kvm_gpc_check passed, but the host maps hva \(b & 0xFF) to pfn \(b >> 8): a use-after-free"
        case .warnGpcValidDuringRefresh:
            return "hva_to_pfn_retry(): WARN_ON_ONCE(gpc->valid): \(who) re-took gpc->lock and found the cache valid: another task refreshed it meanwhile"
        case .bugGpcValidInactive:
            return "__kvm_gpc_activate(): KVM_BUG_ON(gpc->valid): \(who) activates a cache that is inactive but valid"
        case .warnSpuriousNoslot:
            return "tdp_mmu_map_handle_target_level(): WARN_ON_ONCE(fault->pfn != spte_to_pfn(old)): \(who)'s fault on gfn \(a) found no memslot (fault->pfn = KVM_PFN_NOSLOT, an MMIO SPTE to install), but a memslot created since then has let another fault map gfn \(a) to pfn \(b): a present leaf, so the fault is spurious, and the pfns differ"
        case .mmioSpteHitsMemslot:
            return "\(who)'s access to gfn \(a) is emulated as MMIO through an MMIO SPTE of memslots generation \(b), which check_mmio_spte() accepts, but gfn \(a) has a memslot that a finished KVM_SET_USER_MEMORY_REGION installed: the guest's accesses there go to MMIO emulation instead of its memory, until the next memslot update"
        case .nxTrackFreedSp:
            return "kvm_tdp_mmu_map(): \(who) adds the page table of root r\(a), gfn block \(b) to possible_nx_huge_pages, but another task zapped that table after \(who) linked it (tdp_mmu_unlink_sp() found it on no list) and handed it to call_rcu(): once the grace period ends the list holds freed memory (KASAN use-after-free, CONFIG_DEBUG_LIST corruption at the recovery thread's next list operation)"
        case .warnNxRecoveryNoSlot:
            return "kvm_recover_nx_huge_pages() -> kvm_mmu_sp_dirty_logging_enabled(): WARN_ON_ONCE(!slot): the page table of root r\(b) at gfn \(a), a possible NX huge page the recovery took from the list, has no memslot (its memslot was deleted or moved: by a zap of the memslot's leaf SPTEs only, which leaves the table linked and listed, or, with a zap of every root, after the recovery took the table), while nr_memslots_dirty_logging is not 0"
        case .freedWithStaleTlb:
            return "the host frees pfn \(b) while a vCPU TLB may still translate gfn \(a) to it: its SPTE in a valid root was zapped and no TLB flush covering gfn \(a) followed (the guest can read and write the freed page)"
        case .nxPagesMismatch:
            let tdp = (a >> 8) & 0xFF, listed = a & 0xFF
            let shadow = b < 0 ? "\(b) (a u64 in the kernel: it wrapped around to 2^64 - \(-b))" : "\(b)"
            return "at quiescence: possible_nx_huge_pages[KVM_TDP_MMU].nr_pages = \(tdp) but \(listed) pages are on its list, and possible_nx_huge_pages[KVM_SHADOW_MMU].nr_pages = \(shadow) with no shadow MMU page: nx_huge_pages_to_zap() = DIV_ROUND_UP(nr_pages, ratio) reads a count that no longer describes its list"
        case .warnNoslotReplacesLeaf:
            return "tdp_mmu_map_handle_target_level(): WARN_ON_ONCE(leaf_spte_change_needs_tlb_flush(old, new)): \(who)'s fault on gfn \(a) found no memslot (emulated MMIO), but a memslot created since then has let another fault map gfn \(a) to pfn \(b), a leaf marked for access tracking (no A/D bits: a KVM_PRE_FAULT_MEMORY's, or one page aging marked): the fault is not spurious for it (is_access_allowed() is false), and it replaces the MMU-writable leaf by an MMIO SPTE (RET_PF_EMULATE: this access is emulated as MMIO; the SPTE carries the generation the creation replaces, so a later access maps the memory again)"
        case .bugLeafPfnChanged:
            return "handle_changed_spte(): BUG(): \(who)'s fault replaces the present (access-tracked) leaf SPTE of gfn \(a), which maps pfn \(b >> 16), by one mapping pfn \(b & 0xFFFF) (\"Invalid SPTE change: cannot replace a present leaf SPTE with another present leaf SPTE mapping a different PFN!\")"
        case .bugPutValidRoot:
            return "kvm_tdp_mmu_put_root(): KVM_BUG_ON(!root->role.invalid): the last reference to valid root \(a) was put"
        case .spinsUntilSignal:
            return "\(who)'s KVM_PRE_FAULT_MEMORY retried \(a) times without progress, holding kvm->srcu"
                + (b >= 0 ? "; \(actorName(b)) waits for it in synchronize_srcu" : "")
                + "; only a signal ends it (-EINTR)"
        }
    }
}

@inline(never) func actorName(_ i: Int64) -> String {
    i >= 0 && Int(i) < actorNames.count ? actorNames[Int(i)] : "?"
}
