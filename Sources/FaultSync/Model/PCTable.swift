/// One row per program counter: the step label of reference/kvm-protocol.md, the kernel
/// function (or code point) the step models, and the kernel file it is in. The single source
/// for traces, `faultsync steps` and the docs.
public struct PCInfo: Sendable {
    public let label: String
    public let function: String
    public let file: String
    init(_ label: String, _ function: String, _ file: String) {
        self.label = label; self.function = function; self.file = file
    }
}

extension PC {
    static let rows: [PC: PCInfo] = [
        .idle: PCInfo("-", "-", "-"),
        .f0SrcuLock: PCInfo("F0", "kvm_vcpu_srcu_read_lock", "include/linux/kvm_host.h"),
        .p0Reload: PCInfo("P0", "kvm_arch_vcpu_pre_fault_memory: kvm_mmu_reload", "arch/x86/kvm/mmu/mmu.c"),
        .f1Memslot: PCInfo("F1", "kvm_vcpu_gfn_to_memslot", "virt/kvm/kvm_main.c"),
        .f6aSnapshot: PCInfo("F6a", "mmu_seq = mmu_invalidate_seq", "arch/x86/kvm/mmu/mmu.c"),
        .f6bChecks: PCInfo("F6b-d", "kvm_mmu_faultin_pfn checks", "arch/x86/kvm/mmu/mmu.c"),
        .f6fPrecheck: PCInfo("F6f", "mmu_invalidate_retry_gfn_unsafe", "include/linux/kvm_host.h"),
        .f6gLookup: PCInfo("F6g", "__kvm_mmu_faultin_pfn", "arch/x86/kvm/mmu/mmu.c"),
        .f6aLateSnapshot: PCInfo("F6a", "mmu_seq = mmu_invalidate_seq (late)", "arch/x86/kvm/mmu/mmu.c"),
        .f6iPrecheck: PCInfo("F6i", "mmu_invalidate_retry_gfn_unsafe", "include/linux/kvm_host.h"),
        .f7Lock: PCInfo("F7", "read_lock(mmu_lock)", "arch/x86/kvm/mmu/mmu.c"),
        .f8Stale: PCInfo("F8", "is_page_fault_stale", "arch/x86/kvm/mmu/mmu.c"),
        .f10Adjust: PCInfo("F10", "kvm_mmu_hugepage_adjust", "arch/x86/kvm/mmu/mmu.c"),
        .f11Install: PCInfo("F11", "kvm_tdp_mmu_map: link/split + tdp_mmu_map_handle_target_level", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .f12Finish: PCInfo("F12", "kvm_mmu_finish_page_fault", "arch/x86/kvm/mmu/mmu.c"),
        .n1Count: PCInfo("N1-2", "mn count++ + gfn_to_pfn_cache_invalidate_start", "virt/kvm/kvm_main.c"),
        .n3Walk: PCInfo("N3a", "kvm_handle_hva_range: memslot walk", "virt/kvm/kvm_main.c"),
        .n3LockBegin: PCInfo("N3d", "KVM_MMU_LOCK + kvm_mmu_invalidate_begin", "virt/kvm/kvm_main.c"),
        .n3RangeAdd: PCInfo("N3e", "kvm_mmu_invalidate_range_add", "virt/kvm/kvm_main.c"),
        .n3Zap: PCInfo("N3e", "kvm_unmap_gfn_range", "arch/x86/kvm/mmu/mmu.c"),
        .n3Yield: PCInfo("N3e", "tdp_mmu_iter_cond_resched: no yield", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .n3Relock: PCInfo("N3e", "cond_resched_rwlock_write (relock)", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .n3Unlock: PCInfo("N3g", "KVM_MMU_UNLOCK + srcu_read_unlock", "virt/kvm/kvm_main.c"),
        .hostChange: PCInfo("host", "host mm: change PTEs, free pages", "mm/ (the host mm: environment)"),
        .n5Walk: PCInfo("N5", "invalidate_range_end: memslot walk", "virt/kvm/kvm_main.c"),
        .n5LockEnd: PCInfo("N5", "KVM_MMU_LOCK + kvm_mmu_invalidate_end", "virt/kvm/kvm_main.c"),
        .n5Unlock: PCInfo("N5", "KVM_MMU_UNLOCK + srcu_read_unlock", "virt/kvm/kvm_main.c"),
        .n5LateEnd: PCInfo("N5", "kvm_mmu_invalidate_end (after unlock)", "virt/kvm/kvm_main.c"),
        .n6Uncount: PCInfo("N6", "mn_active_invalidate_count-- + rcuwait_wake_up", "virt/kvm/kvm_main.c"),
        .m0Lock: PCInfo("M0", "mutex_lock(slots_lock)", "virt/kvm/kvm_main.c"),
        .m1Prepare: PCInfo("M1", "kvm_set_memory_region: validate, allocate", "virt/kvm/kvm_main.c"),
        .m3aInvalidate: PCInfo("M3a", "kvm_invalidate_memslot: replace(old, invalid)", "virt/kvm/kvm_main.c"),
        .wSwap: PCInfo("W2-3", "kvm_swap_active_memslots: wait mn count, publish", "virt/kvm/kvm_main.c"),
        .wSync: PCInfo("W6", "synchronize_srcu_expedited", "virt/kvm/kvm_main.c"),
        .m3cFlush: PCInfo("M3c", "kvm_arch_flush_shadow_memslot", "arch/x86/kvm/mmu/mmu.c"),
        .m3cZap: PCInfo("M3c", "kvm_mmu_zap_memslot: kvm_unmap_gfn_range", "arch/x86/kvm/mmu/mmu.c"),
        .m3cYield: PCInfo("M3c", "tdp_mmu_iter_cond_resched: no yield", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .m3cRelock: PCInfo("M3c", "cond_resched_rwlock_write: relock", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .m3cUnlock: PCInfo("M3c", "kvm_mmu_zap_memslot_pages_and_flush + write_unlock", "arch/x86/kvm/mmu/mmu.c"),
        .m5Replace: PCInfo("M5", "kvm_replace_memslot (inactive set)", "virt/kvm/kvm_main.c"),
        .m5ReplaceAfter: PCInfo("M5", "kvm_activate_memslot: kvm_replace_memslot", "virt/kvm/kvm_main.c"),
        .m6FreeInvalid: PCInfo("M6", "kfree(invalid_slot)", "virt/kvm/kvm_main.c"),
        .m7FreeOld: PCInfo("M7", "kvm_free_memslot(old) / kfree(old)", "virt/kvm/kvm_main.c"),
        .m8Unlock: PCInfo("M8", "mutex_unlock(slots_lock)", "virt/kvm/kvm_main.c"),
        .t1Lock: PCInfo("T1", "mutex_lock(slots_lock)", "virt/kvm/kvm_main.c"),
        .t2Check: PCInfo("T2", "kvm_range_has_memory_attributes", "virt/kvm/kvm_main.c"),
        .t4LockBegin: PCInfo("T4", "pre_set: KVM_MMU_LOCK + kvm_mmu_invalidate_begin", "virt/kvm/kvm_main.c"),
        .t4PreSet: PCInfo("T4", "kvm_pre_set_memory_attributes", "arch/x86/kvm/mmu/mmu.c"),
        .t4Zap: PCInfo("T4", "kvm_unmap_gfn_range", "arch/x86/kvm/mmu/mmu.c"),
        .t4Yield: PCInfo("T4", "tdp_mmu_iter_cond_resched: no yield", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .t4Relock: PCInfo("T4", "cond_resched_rwlock_write: relock", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .t4Unlock: PCInfo("T4", "KVM_MMU_UNLOCK", "virt/kvm/kvm_main.c"),
        .t5Store: PCInfo("T5", "xa_store attributes", "virt/kvm/kvm_main.c"),
        .t6LockEnd: PCInfo("T6", "post_set: kvm_mmu_invalidate_end + MIXED", "virt/kvm/kvm_main.c"),
        .t6Unlock: PCInfo("T6", "KVM_MMU_UNLOCK", "virt/kvm/kvm_main.c"),
        .t7Unlock: PCInfo("T7", "mutex_unlock(slots_lock)", "virt/kvm/kvm_main.c"),
        .h0Lock: PCInfo("H0", "mutex_lock(slots_lock)", "arch/x86/kvm/mmu/mmu.c"),
        .h1Lock: PCInfo("H1", "read_lock(mmu_lock)", "arch/x86/kvm/mmu/mmu.c"),
        .h2Block: PCInfo("H2-5", "kvm_tdp_mmu_recover_huge_pages", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .h6Unlock: PCInfo("H6", "read_unlock + flush + mutex_unlock", "arch/x86/kvm/mmu/mmu.c"),
        .x0Lock: PCInfo("X0", "set_nx_huge_pages: mutex_lock(slots_lock)", "arch/x86/kvm/mmu/mmu.c"),
        .x1ZapAllFast: PCInfo("X1", "kvm_mmu_zap_all_fast: invalidate roots", "arch/x86/kvm/mmu/mmu.c"),
        .x2Unlock: PCInfo("X2", "mutex_unlock(slots_lock)", "arch/x86/kvm/mmu/mmu.c"),
        .r6Lock: PCInfo("R6", "zap_invalidated_roots: read_lock(mmu_lock)", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .r6Zap: PCInfo("R6", "tdp_mmu_zap_root (one SPTE / put) + read_unlock", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .a0Update: PCInfo("A0", "__kvm_set_or_clear_apicv_inhibit", "arch/x86/kvm/x86.c"),
        .a1ZapGfnRange: PCInfo("A1", "kvm_zap_gfn_range(APIC access page)", "arch/x86/kvm/mmu/mmu.c"),
        .a2Unlock: PCInfo("A2", "srcu_read_unlock + up_write(apicv_update_lock)", "arch/x86/kvm/x86.c"),
        .c0ActivateMutex: PCInfo("C0", "__kvm_gpc_activate: mutex_lock(refresh_lock)", "virt/kvm/pfncache.c"),
        .c1ListAdd: PCInfo("C1", "list_add(gpc, kvm->gpc_list)", "virt/kvm/pfncache.c"),
        .c2Activate: PCInfo("C2", "gpc->active = true (write_lock)", "virt/kvm/pfncache.c"),
        .c3RefreshLock: PCInfo("C3", "__kvm_gpc_refresh: write_lock; gpa -> uhva", "virt/kvm/pfncache.c"),
        .c4Snapshot: PCInfo("C4", "hva_to_pfn_retry: mmu_seq snapshot; write_unlock", "virt/kvm/pfncache.c"),
        .c5Lookup: PCInfo("C5", "hva_to_pfn (GUP) + gpc_map", "virt/kvm/pfncache.c"),
        .c6Relock: PCInfo("C6", "write_lock; mmu_notifier_retry_cache", "virt/kvm/pfncache.c"),
        .c7Unlock: PCInfo("C7", "write_unlock; gpc_unmap; mutex_unlock", "virt/kvm/pfncache.c"),
        .c8Check: PCInfo("C8", "read_lock(gpc->lock); kvm_gpc_check", "virt/kvm/pfncache.c"),
        .c9RefreshMutex: PCInfo("C9", "kvm_gpc_refresh: mutex_lock(refresh_lock)", "virt/kvm/pfncache.c"),
        .c10Access: PCInfo("C10", "access gpc->khva; read_unlock", "virt/kvm/pfncache.c"),
        .c11DeactMutex: PCInfo("C11", "kvm_gpc_deactivate: mutex_lock(refresh_lock)", "virt/kvm/pfncache.c"),
        .c12Deactivate: PCInfo("C12", "active = valid = false (write_lock)", "virt/kvm/pfncache.c"),
        .c13ListDel: PCInfo("C13", "list_del; gpc_unmap; mutex_unlock", "virt/kvm/pfncache.c"),
        .g0InvalLock: PCInfo("G0", "filemap_invalidate_lock", "virt/kvm/guest_memfd.c"),
        .g1LockBegin: PCInfo("G1", "kvm_gmem_invalidate_begin: KVM_MMU_LOCK + begin", "virt/kvm/guest_memfd.c"),
        .g2RangeAdd: PCInfo("G2", "kvm_mmu_unmap_gfn_range: range_add", "virt/kvm/kvm_main.c"),
        .g3Zap: PCInfo("G3", "kvm_unmap_gfn_range", "arch/x86/kvm/mmu/mmu.c"),
        .g3Yield: PCInfo("G3", "tdp_mmu_iter_cond_resched: no yield", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .g3Relock: PCInfo("G3", "cond_resched_rwlock_write: relock", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .g4Unlock: PCInfo("G4", "flush + KVM_MMU_UNLOCK", "virt/kvm/guest_memfd.c"),
        .g5Truncate: PCInfo("G5", "truncate_inode_pages_range", "virt/kvm/guest_memfd.c"),
        .g6LockEnd: PCInfo("G6", "kvm_gmem_invalidate_end: KVM_MMU_LOCK + end", "virt/kvm/guest_memfd.c"),
        .g7Unlock: PCInfo("G7", "filemap_invalidate_unlock", "virt/kvm/guest_memfd.c"),
        .g8LastPut: PCInfo("G8", "last fput: file dying (release follows)", "virt/kvm/guest_memfd.c"),
        .g9Evict: PCInfo("G9", "iput -> evict: truncate_inode_pages_final", "virt/kvm/guest_memfd.c"),
        .g5Wait: PCInfo("G5w", "truncate_inode_folio -> unmap_mapping_folio (MMU notifier on the user mapping)", "mm/truncate.c (environment)"),
        .g10Unmap: PCInfo("G10u", "hwpoison_user_mappings -> try_to_unmap (MMU notifier on the user mapping)", "mm/memory-failure.c (environment)"),
        .g10Wait: PCInfo("G10w", "hwpoison_user_mappings: wait for the unmap", "mm/memory-failure.c (environment)"),
        .g10Poison: PCInfo("G10", "memory_failure: TestSetPageHWPoison; error_remove_folio -> kvm_gmem_error_folio", "mm/memory-failure.c (environment)"),
        .f11Track: PCInfo("F11t", "kvm_tdp_mmu_map: track_possible_nx_huge_page if sp->nx_huge_page_disallowed (tdp_mmu_pages_lock)", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .f11Leaf: PCInfo("F11", "tdp_mmu_map_handle_target_level (into the table linked for an NX huge page)", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .y0Srcu: PCInfo("Y0", "kvm_recover_nx_huge_pages: srcu_read_lock", "arch/x86/kvm/mmu/mmu.c"),
        .y1Pick: PCInfo("Y1", "read_lock(mmu_lock); first possible NX huge page; unaccount_nx_huge_page", "arch/x86/kvm/mmu/mmu.c"),
        .y2Zap: PCInfo("Y2", "kvm_mmu_sp_dirty_logging_enabled + kvm_tdp_mmu_zap_possible_nx_huge_page", "arch/x86/kvm/mmu/mmu.c, tdp_mmu.c"),
        .y3Unlock: PCInfo("Y3", "flush; read_unlock(mmu_lock); srcu_read_unlock", "arch/x86/kvm/mmu/mmu.c"),
        .e1Lock: PCInfo("E1", "kvm_mmu_slot_try_split_huge_pages: read_lock(mmu_lock); first valid root", "arch/x86/kvm/mmu/mmu.c, tdp_mmu.c"),
        .e2Split: PCInfo("E2", "tdp_mmu_split_huge_pages_root: split the next huge SPTE, or read_unlock to allocate", "arch/x86/kvm/mmu/tdp_mmu.c"),
        .e3Alloc: PCInfo("E3", "tdp_mmu_alloc_sp_for_split; read_lock(mmu_lock); restart at the SPTE", "arch/x86/kvm/mmu/tdp_mmu.c"),
    ]
    /// Indexed by `rawValue`.
    public static let table: [PCInfo] = allCases.map { rows[$0] ?? PCInfo("?", "?", "?") }

    @inline(__always) public var info: PCInfo { PC.table[Int(rawValue)] }
    /// The step label of reference/kvm-protocol.md.
    public var label: String { info.label }
    /// The kernel function (or code point) the step models.
    public var kernelName: String { info.function }
    /// The kernel source file of that function.
    public var kernelFile: String { info.file }
}
