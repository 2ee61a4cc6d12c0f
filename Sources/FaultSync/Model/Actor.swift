/// The fixed actor table: index 0/1 vCPUs, 2/3 host-mm (MMU-notifier) threads, 4 memslot ioctl,
/// 5 attribute ioctl, 6 huge-page recovery, 7 the `nx_huge_pages` module-parameter writer,
/// 8 an APICv inhibit/activation (__kvm_set_or_clear_apicv_inhibit -> kvm_zap_gfn_range),
/// 9/10 two users of the VM's gfn_to_pfn_cache, 11 the guest_memfd file's owner (punch hole, release),
/// 12 the NX huge page recovery thread (kvm_nx_huge_page_recovery_worker; format v6: until then
/// its passes ran on actor 7 and never overlapped a toggle).
public enum ActorKind: UInt8 {
    case absent, vcpu, mm, memslot, attr, recover, nx, apicv, gpc, gmem, nxrec

    /// The kinds that walk TDP MMU roots in zap steps (`World.zapStep`) and so have a
    /// `zapRootsLeft`: the MMU notifier, the attribute ioctl, guest_memfd and the memslot ioctl
    /// (kvm_mmu_zap_memslot()).
    @inline(__always) var walksRoots: Bool { self == .mm || self == .attr || self == .gmem || self == .memslot }

    static func forIndex(_ i: Int) -> ActorKind {
        switch i {
        case 0, 1: return .vcpu
        case 2, 3: return .mm
        case 4: return .memslot
        case 5: return .attr
        case 6: return .recover
        case 7: return .nx
        case 8: return .apicv
        case 9, 10: return .gpc
        case 11: return .gmem
        default: return .nxrec
        }
    }
}

public let actorNames: [String] = ["vcpu0", "vcpu1", "mm0", "mm1", "memslot", "attr", "recover", "nx", "apicv",
                                   "gpc0", "gpc1", "gmem", "nxrec"]

/// Program counter: the next atomic step of an actor. Each case is a kernel code point; the
/// comment gives the step label of `reference/kvm-protocol.md`.
public enum PC: UInt8, CaseIterable {
    case idle
    // vCPU fault, TDP MMU path (F0-F12)
    case f0SrcuLock          // F0  kvm_vcpu_srcu_read_lock
    case p0Reload            // P0  KVM_PRE_FAULT_MEMORY: kvm_arch_vcpu_pre_fault_memory -> kvm_mmu_reload()
    case f1Memslot           // F1  kvm_vcpu_gfn_to_memslot
    case f6aSnapshot         // F6a fault->mmu_seq = kvm->mmu_invalidate_seq; smp_rmb()
    case f6bChecks           // F6b-d kvm_mem_is_private / no slot / KVM_MEMSLOT_INVALID
    case f6fPrecheck         // F6f mmu_invalidate_retry_gfn_unsafe (before the lookup)
    case f6gLookup           // F6g __kvm_faultin_pfn -> hva_to_pfn / kvm_gmem_get_pfn
    case f6aLateSnapshot     // (variant seq-snapshot-after-lookup) snapshot after F6g
    case f6iPrecheck         // F6i mmu_invalidate_retry_gfn_unsafe (after the lookup)
    case f7Lock              // F7  read_lock(&kvm->mmu_lock)
    case f8Stale             // F8  is_page_fault_stale -> mmu_invalidate_retry_gfn
    case f10Adjust           // F10 kvm_mmu_hugepage_adjust -> host_pfn_mapping_level
    case f11Install          // F11 tdp_mmu_map_handle_target_level (install SPTE)
    case f12Finish           // F12 kvm_mmu_finish_page_fault; read_unlock; srcu_read_unlock
    // MMU notifier + host mm (N1-N7)
    case n1Count             // N1/N2 mn_active_invalidate_count++; gfn_to_pfn_cache_invalidate_start
    case n3Walk              // N3a/b srcu_read_lock; walk memslots overlapping the hva range
    case n3LockBegin         // N3d KVM_MMU_LOCK; kvm_mmu_invalidate_begin
    case n3RangeAdd          // N3e kvm_mmu_invalidate_range_add
    case n3Zap               // N3e kvm_unmap_gfn_range (one 2M or 4K entry per step: World.zapStepStop)
    case n3Yield             // N3e a yield point: passed, or yield to a lock taker (World.yieldToWaiter)
    case n3Relock            // N3e cond_resched_rwlock_write: retake mmu_lock
    case n3Unlock            // N3f/g flush; KVM_MMU_UNLOCK; srcu_read_unlock
    case hostChange          // host mm: set_pte / THP collapse / split / free pages
    case n5Walk              // N5  range_end: srcu_read_lock; memslot walk
    case n5LockEnd           // N5  KVM_MMU_LOCK; kvm_mmu_invalidate_end
    case n5Unlock            // N5  KVM_MMU_UNLOCK; srcu_read_unlock
    case n5LateEnd           // (variant invalidate-end-after-unlock) end after unlock
    case n6Uncount           // N6/N7 mn_active_invalidate_count--; rcuwait_wake_up
    // memslot update (M0-M8, W1-W7)
    case m0Lock              // M0  mutex_lock(&kvm->slots_lock)
    case m1Prepare           // M1  kvm_set_memory_region: validate, classify, allocate
    case m3aInvalidate       // M3a kvm_invalidate_memslot: kvm_replace_memslot(old, invalid)
    case wSwap               // W1-W4 kvm_swap_active_memslots: wait mn count 0; rcu_assign_pointer
    case wSync               // W6/W7 synchronize_srcu_expedited; generation update
    case m3cFlush            // M3c kvm_arch_flush_shadow_memslot (zap old slot)
    case m3cZap              // M3c kvm_mmu_zap_memslot: kvm_unmap_gfn_range (one entry of one root per step)
    case m3cYield            // M3c a yield point: passed, or yield to a lock taker (World.yieldToWaiter)
    case m3cRelock           // M3c cond_resched_rwlock_write: retake mmu_lock
    case m3cUnlock           // M3c kvm_mmu_zap_memslot_pages_and_flush; write_unlock
    case m5Replace           // M5  kvm_replace_memslot on the inactive set
    case m5ReplaceAfter      // M5  kvm_activate_memslot: kvm_replace_memslot on the now-inactive set
    case m6FreeInvalid       // M6  kfree(invalid_slot)
    case m7FreeOld           // M7  kvm_commit_memory_region: kvm_free_memslot(old) / kfree(old)
    case m8Unlock            // M8  mutex_unlock(&kvm->slots_lock)
    // KVM_SET_MEMORY_ATTRIBUTES (T1-T7)
    case t1Lock              // T1  mutex_lock(&kvm->slots_lock)
    case t2Check             // T2  kvm_range_has_memory_attributes
    case t4LockBegin         // T4  kvm_handle_gfn_range(pre_set): KVM_MMU_LOCK; invalidate_begin
    case t4PreSet            // T4  kvm_pre_set_memory_attributes: range_add (+head/tail)
    case t4Zap               // T4  kvm_unmap_gfn_range (one 2M or 4K entry per step)
    case t4Yield             // T4  a yield point: passed, or yield to a lock taker (World.yieldToWaiter)
    case t4Relock            // T4  cond_resched_rwlock_write: retake mmu_lock
    case t4Unlock            // T4  KVM_MMU_UNLOCK
    case t5Store             // T5  xa_store attributes
    case t6LockEnd           // T6  kvm_handle_gfn_range(post_set): KVM_MMU_LOCK; invalidate_end; MIXED
    case t6Unlock            // T6  KVM_MMU_UNLOCK
    case t7Unlock            // T7  mutex_unlock(&kvm->slots_lock)
    // kvm_mmu_recover_huge_pages (H1-H6)
    case h0Lock              // H0  mutex_lock(&kvm->slots_lock) (caller: memslot flags path)
    case h1Lock              // H1  read_lock(&kvm->mmu_lock)
    case h2Block             // H2-H5 tdp_mmu_make_huge_spte over one block of the slot
    case h6Unlock            // H6  read_unlock; kvm_flush_remote_tlbs_memslot; mutex_unlock
    // set_nx_huge_pages() (X0-X2): for each VM, kvm_mmu_zap_all_fast() under slots_lock
    case x0Lock              // X0  mutex_lock(&kvm->slots_lock)
    case x1ZapAllFast        // X1  kvm_mmu_zap_all_fast() (R1-R6)
    case x2Unlock            // X2  mutex_unlock(&kvm->slots_lock)
    // kvm_mmu_zap_all_fast() R6, run by its caller (memslot M3c, nx X1) after R1-R5
    case r6Lock              // R6  kvm_tdp_mmu_zap_invalidated_roots: read_lock(&kvm->mmu_lock)
    case r6Zap               // R6  tdp_mmu_zap_root, one entry of its 4K or 2M pass; cond_resched / put root
    // __kvm_set_or_clear_apicv_inhibit() (x86.c), A0-A2
    case a0Update            // A0  apicv_inhibit_reasons = new; KVM_REQ_APICV_UPDATE; srcu_read_lock
    case a1ZapGfnRange       // A1  kvm_zap_gfn_range(APIC access page gfn): write_lock, begin, range_add, zap, end
    case a2Unlock            // A2  srcu_read_unlock; up_write(apicv_update_lock)
    // gfn_to_pfn_cache (virt/kvm/pfncache.c), C0-C13
    case c0ActivateMutex     // C0  __kvm_gpc_activate: mutex_lock(&gpc->refresh_lock)
    case c1ListAdd           // C1  spin_lock(&kvm->gpc_lock); list_add(&gpc->list, &kvm->gpc_list)
    case c2Activate          // C2  write_lock(&gpc->lock); gpc->active = true; write_unlock
    case c3RefreshLock       // C3  __kvm_gpc_refresh: write_lock(&gpc->lock); gpa -> uhva; valid = false
    case c4Snapshot          // C4  hva_to_pfn_retry: mmu_seq = mmu_invalidate_seq; smp_rmb(); write_unlock
    case c5Lookup            // C5  hva_to_pfn() (GUP), gpc_map()
    case c6Relock            // C6  write_lock; WARN_ON_ONCE(gpc->valid); mmu_notifier_retry_cache()
    case c7Unlock            // C7  write_unlock(&gpc->lock); gpc_unmap(old); mutex_unlock(&gpc->refresh_lock)
    case c8Check             // C8  read_lock(&gpc->lock); kvm_gpc_check(); read_unlock if it fails
    case c9RefreshMutex      // C9  kvm_gpc_refresh: mutex_lock(&gpc->refresh_lock)
    case c10Access           // C10 use gpc->khva; read_unlock(&gpc->lock)
    case c11DeactMutex       // C11 kvm_gpc_deactivate: mutex_lock(&gpc->refresh_lock)
    case c12Deactivate       // C12 write_lock; active = valid = false; pfn = KVM_PFN_ERR_FAULT; write_unlock
    case c13ListDel          // C13 list_del; gpc_unmap(old); mutex_unlock(&gpc->refresh_lock)
    // guest_memfd (virt/kvm/guest_memfd.c), G0-G9
    case g0InvalLock         // G0  filemap_invalidate_lock(inode->i_mapping)
    case g1LockBegin         // G1  kvm_gmem_invalidate_begin: first binding -> KVM_MMU_LOCK; kvm_mmu_invalidate_begin
    case g2RangeAdd          // G2  kvm_mmu_unmap_gfn_range: kvm_mmu_invalidate_range_add
    case g3Zap               // G3  kvm_unmap_gfn_range (one 2M or 4K entry per step)
    case g3Yield             // G3  a yield point: passed, or yield to a lock taker (World.yieldToWaiter)
    case g3Relock            // G3  cond_resched_rwlock_write: retake mmu_lock
    case g4Unlock            // G4  flush; KVM_MMU_UNLOCK
    case g5Truncate          // G5  truncate_inode_pages_range (punch hole) / clear slot->gmem.file (release)
    case g6LockEnd           // G6  kvm_gmem_invalidate_end: KVM_MMU_LOCK; kvm_mmu_invalidate_end
    case g7Unlock            // G7  KVM_MMU_UNLOCK; filemap_invalidate_unlock
    case g8LastPut           // G8  fput(): the file's last reference; get_file_active() fails from now on
    case g9Evict             // G9  __fput -> iput -> evict: truncate_inode_pages_final (after release)
    case g10Poison           // G10 memory_failure(): TestSetPageHWPoison on the folio, then error_remove_folio
    case g5Wait              // G5w truncate_inode_folio -> unmap_mapping_folio: the user mappings' invalidation (INIT_SHARED)
    case g10Unmap            // G10u memory_failure -> hwpoison_user_mappings -> try_to_unmap (INIT_SHARED)
    case g10Wait             // G10w ... until the user mappings' invalidation ends
    // NX huge pages (NXRecovery.swift)
    case f11Track            // F11t kvm_tdp_mmu_map: spin_lock(tdp_mmu_pages_lock); if (sp->nx_huge_page_disallowed) track_possible_nx_huge_page
    case f11Leaf             // F11  (after F11t) tdp_mmu_map_handle_target_level into the linked table
    case y0Srcu              // Y0  kvm_recover_nx_huge_pages: srcu_read_lock(&kvm->srcu)
    case y1Pick              // Y1  read_lock(mmu_lock); first of possible_nx_huge_pages; unaccount_nx_huge_page
    case y2Zap               // Y2  kvm_mmu_sp_dirty_logging_enabled; kvm_tdp_mmu_zap_possible_nx_huge_page
    case y3Unlock            // Y3  flush; read_unlock(mmu_lock); srcu_read_unlock
    // Eager page splitting when dirty logging is enabled (EagerSplit.swift), E1-E3, run by the
    // memslot ioctl inside kvm_commit_memory_region() -> kvm_mmu_slot_apply_flags()
    case e1Lock              // E1  kvm_mmu_slot_try_split_huge_pages: read_lock(mmu_lock); first valid root (get)
    case e2Split             // E2  tdp_mmu_split_huge_pages_root: next huge SPTE; split it, or read_unlock to allocate
    case e3Alloc             // E3  tdp_mmu_alloc_sp_for_split(); read_lock(mmu_lock); iter.yielded (re-read)
    // fast_page_fault() (mmu.c), only without A/D bits (World.adBits), F2a-F2b
    case f2FastWalk          // F2a walk_shadow_page_lockless_begin; kvm_tdp_mmu_fast_pf_get_last_sptep (RCU, no mmu_lock)
    case f2FastFix           // F2b fast_pf_fix_direct_spte: try_cmpxchg64(sptep, old, restored)
    // Page aging through the MMU notifier (Aging.swift), run by a host-mm actor, AG1-AG3
    case ag1Walk             // AG1 kvm_age_hva_range -> kvm_handle_hva_range (lockless): srcu_read_lock; first memslot
    case ag2Age              // AG2 kvm_age_gfn -> kvm_tdp_mmu_age_gfn_range: read the next young leaf (RCU)
    case ag2Mark             // AG2b kvm_tdp_mmu_age_spte: __tdp_mmu_set_spte_atomic (try_cmpxchg64; variant age-plain-write: a store)
    case ag3Done             // AG3 srcu_read_unlock (no flush on x86: KVM_ELIDE_TLB_FLUSH_IF_YOUNG)
}

/// Bits of a vCPU fault's `nxFlags`.
public enum NXFault {
    public static let exec: UInt8 = 1      // fault->exec (an instruction fetch; KVM_RUN only)
    public static let nxOn: UInt8 = 2      // fault->nx_huge_page_workaround_enabled
    public static let reqHuge: UInt8 = 4   // fault->req_level >= PG_LEVEL_2M
    /// The guest's access is an instruction fetch (KVM_RUN only), at every attempt; `exec` is
    /// this attempt's fault->exec (not on a reserved-bit fault: an EPT misconfiguration).
    public static let fetch: UInt8 = 8
}

/// Bits of `Actor.tlbFlush`.
public enum TLBFlush {
    /// tdp_mmu_zap_leafs()'s `flush`: this handler call zapped a leaf of a valid root since its
    /// last flush (tdp_mmu_iter_cond_resched() flushes it before yielding).
    public static let local: UInt8 = 1
    /// The handler calls' results so far (flushed by the caller before mmu_lock is released).
    public static let ret: UInt8 = 2
    /// (Variant root-zap-flush-not-carried only) earlier roots' zaps in this handler call, ORed
    /// into its result but not passed to the next root's walk: no yield flushes them.
    public static let earlierRoots: UInt8 = 4
}

/// `Actor.zapRoot` before a handler call's first zap step picks the roots to walk.
public enum ZapWalk {
    public static let unstarted: UInt8 = 0xFE
}

/// What one zap step (`World.zapStep`) leaves to do.
public enum ZapProgress {
    /// More blocks of the same root: tdp_mmu_iter_cond_resched() may yield before them.
    case more
    /// The root is done and the walk moved to the next one (no yield: the iterator yields only
    /// after progress in the root it walks).
    case nextRoot
    /// Every root is done: the handler call returns.
    case done
}

/// gfn_to_pfn_cache operations.
public enum GpcOp: UInt8 { case use, activate, deactivate }

/// Host-mm operations (the environment). Each but `age` is bracketed by the MMU notifier's start/end.
public enum HostOp: UInt8, CaseIterable {
    case remap, unmap, collapse, split
    /// Started by the guest_memfd actor in the INIT_SHARED world, never by an event: the user
    /// mappings of folios a punch hole truncates (unmap_mapping_folio, then the folios leave the
    /// page cache and are freed), or of a folio memory_failure() poisons (try_to_unmap).
    case gmemTruncate, gmemPoison
    /// Page aging (format v7): the notifier's clear_flush_young(), not bracketed by start/end
    /// (AG1-AG3, Aging.swift).
    case age
}
/// Memslot ioctl changes (`enum kvm_mr_change`).
public enum MemslotOp: UInt8, CaseIterable { case create, delete, move, flags }

/// One actor: its program counter, arguments, and locals. A single struct for every kind
/// keeps the table fixed-size.
public struct Actor {
    public var kind: ActorKind = .absent
    public var pc: PC = .idle
    // arguments
    public var a0: UInt8 = 0, a1: UInt8 = 0, a2: UInt8 = 0, a3: UInt8 = 0
    public var flagA = false, flagB = false
    // SRCU: step at which the current read section began, 0 = not a reader
    public var srcuStart: UInt32 = 0
    // locals
    public var slotObj: UInt8 = none8     // fault: fault->slot; memslot: old
    public var newObj: UInt8 = none8      // memslot: new
    public var invalidObj: UInt8 = none8  // memslot: invalid_slot
    public var container: UInt8 = none8   // notifier walk: the memslots it dereferenced
    public var mmuSeq: UInt64 = 0
    public var pfn: UInt16 = 0
    public var hva: UInt8 = 0
    public var hostVersion: UInt32 = 0
    public var lookupAt: UInt32 = 0       // ghost: the step of the pfn lookup (F6g)
    public var level: UInt8 = 0
    public var root: UInt8 = none8        // vCPU: the TDP MMU root it has loaded (mmu->root.hpa), or none
    public var phase: UInt8 = 0
    public var cursor: UInt8 = 0          // slot-id / block iteration
    public var found = false              // notifier: a memslot was hit (lock taken)
    public var lo: UInt8 = 0, hi: UInt8 = 0  // hva range [lo, hi) of a host op; gfn range of attr
    public var syncFrom: UInt32 = 0       // synchronize_srcu waits for readers that began before this
    public var retries: UInt32 = 0
    /// signal_pending(current): a signal was sent to this vCPU thread during its ioctl.
    public var signalPending = false
    /// A zapper's pending TLB flush (`TLBFlush` bits): the `flush` local of the current
    /// tdp_mmu_zap_leafs() call, and the accumulated result of the calls made so far (`r.ret`
    /// of kvm_handle_hva_range(), `flush` of __kvm_gmem_invalidate_begin()).
    public var tlbFlush: UInt8 = 0
    // ghost
    public var counted = false            // between kvm_mmu_invalidate_begin and _end
    public var addedLo: UInt16 = invalidGfn, addedHi: UInt16 = 0  // hull of ranges it added

    public init() {}
    @inline(__always) public var busy: Bool { pc != .idle }

    // Per-kind names for the argument slots (one storage for every kind keeps the table fixed-size).
    /// vCPU: the faulting gfn.
    public var gfn: UInt8 { get { a0 } set { a0 = newValue } }
    /// vCPU: a private (guest_memfd) fault.
    public var isPrivateFault: Bool { get { flagA } set { flagA = newValue } }
    /// vCPU: KVM_PRE_FAULT_MEMORY (else KVM_RUN).
    public var isPrefault: Bool { get { flagB } set { flagB = newValue } }
    /// vCPU, variant host-walk-double-read only: the early host PMD read saw a huge mapping.
    public var firstPMDHuge: Bool { get { a3 == 1 } set { a3 = newValue ? 1 : 0 } }
    /// vCPU: NX huge page state of the fault (`NXFault` bits): exec access, the
    /// nx_huge_page_workaround_enabled snapshot, fault->req_level is huge.
    public var nxFlags: UInt8 { get { a2 } set { a2 = newValue } }
    /// vCPU: fault->huge_page_disallowed = fault->exec && fault->nx_huge_page_workaround_enabled.
    public var hugePageDisallowed: Bool { a2 & (NXFault.exec | NXFault.nxOn) == NXFault.exec | NXFault.nxOn }
    /// Host-mm actor: the operation.
    public var hostOp: HostOp { get { HostOp(rawValue: a0) ?? .remap } set { a0 = newValue.rawValue } }
    /// Host-mm actor: the notifier may block (and so may yield between the entries it zaps).
    public var blockable: Bool { get { flagA } set { flagA = newValue } }
    /// Host-mm, attribute, guest_memfd and memslot (kvm_mmu_zap_memslot) actors: the gfn range
    /// [zapPos, zapEnd) left to zap in the current memslot (binding).
    /// The memslot actor keeps its walk in the bytes of `mmuSeq` (its other fields are in use;
    /// `mmuSeq` is 0 when it is not walking).
    public var zapPos: UInt8 { get { kind == .memslot ? walkByte(0) : a1 } set { if kind == .memslot { setWalkByte(0, newValue) } else { a1 = newValue } } }
    public var zapEnd: UInt8 { get { kind == .memslot ? walkByte(1) : a2 } set { if kind == .memslot { setWalkByte(1, newValue) } else { a2 = newValue } } }
    /// The same actors: the start of the handler call's range (each root's walk starts there),
    /// the root being walked (`ZapWalk.unstarted` before the first zap step, none8 when no root
    /// is left), and the roots still to walk after it (bit r: root r).
    public var zapStart: UInt8 {
        get { kind == .memslot ? walkByte(2) : UInt8(truncatingIfNeeded: hostVersion) }
        set { if kind == .memslot { setWalkByte(2, newValue) } else { hostVersion = UInt32(newValue) } }
    }
    public var zapRoot: UInt8 { get { kind == .memslot ? walkByte(3) : level } set { if kind == .memslot { setWalkByte(3, newValue) } else { level = newValue } } }
    public var zapRootsLeft: UInt8 { get { kind == .memslot ? walkByte(4) : hva } set { if kind == .memslot { setWalkByte(4, newValue) } else { hva = newValue } } }
    @inline(__always) func walkByte(_ i: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: mmuSeq >> (8 * i)) }
    @inline(__always) mutating func setWalkByte(_ i: UInt64, _ v: UInt8) {
        mmuSeq = mmuSeq & ~(0xFF << (8 * i)) | UInt64(v) << (8 * i)
    }
    /// Memslot ioctl: the change.
    public var memslotOp: MemslotOp { get { MemslotOp(rawValue: a0) ?? .create } set { a0 = newValue.rawValue } }
    /// Memslot ioctl and huge-page recovery: the slot id.
    public var slotID: UInt8 { get { a1 } set { a1 = newValue } }
    /// Memslot ioctl: the new base gfn and size (create/move).
    public var newBase: UInt8 { get { a2 } set { a2 = newValue } }
    public var newPages: UInt8 { get { a3 } set { a3 = newValue } }
    /// Memslot ioctl (create): with KVM_MEM_GUEST_MEMFD.
    public var gmemCreate: Bool { get { flagB } set { flagB = newValue } }
    /// Memslot ioctl (flags change): turn dirty logging on.
    public var dirtyLog: Bool { get { flagA } set { flagA = newValue } }
    /// KVM_SET_MEMORY_ATTRIBUTES: to private (else to shared).
    public var toPrivate: Bool { get { flagA } set { flagA = newValue } }
    /// APICv: inhibit (else activate).
    public var inhibit: Bool { get { flagA } set { flagA = newValue } }
    /// gfn_to_pfn_cache user: the operation.
    public var gpcOp: GpcOp { get { GpcOp(rawValue: a0) ?? .use } set { a0 = newValue.rawValue } }
    /// gfn_to_pfn_cache activate: the gfn (gpa-based) or hva (kvm_gpc_activate_hva).
    public var gpcTarget: UInt8 { get { a1 } set { a1 = newValue } }
    public var gpcByHva: Bool { get { flagA } set { flagA = newValue } }
    /// gfn_to_pfn_cache refresh: the end-count snapshot of the candidate fix (C4).
    public var gpcEndSnap: UInt8 { get { a2 } set { a2 = newValue } }
    /// guest_memfd: kvm_gmem_release() (else fallocate(PUNCH_HOLE) of [lo, hi)).
    public var gmemRelease: Bool { get { flagA } set { flagA = newValue } }
    /// guest_memfd: memory_failure() on the folio at lo -> kvm_gmem_error_folio() (else punch hole).
    public var gmemErrorOp: Bool { get { flagB } set { flagB = newValue } }
    /// guest_memfd punch hole: the truncation's stage (0 phase 1, 1-2 the partial-folio lookups
    /// at the hole's first and last page, 3 phase 2) and phase 2's index (`truncatePass`).
    public var truncStage: UInt8 { get { phase } set { phase = newValue } }
    /// guest_memfd invalidation walk: the file offset (xarray index) of the binding it is at,
    /// which xa_for_each_range() resumes after (the slot object may be gone by then under a
    /// variant); 0 when no walk is in progress.
    public var bindingOffset: UInt8 { get { a0 } set { a0 = newValue } }
    public var truncIndex: UInt8 { get { a1 } set { a1 = newValue } }
    /// Host-mm actor, truncation of a guest_memfd range: the folios (file indices < 8) it unmaps
    /// and frees -- the ones the truncation pass found mapped.
    public var truncFolios: UInt8 { get { a3 } set { a3 = newValue } }
    /// vCPU, fast_page_fault(): its retry_count (the cmpxchg failed; "> 4" goes to the slow path).
    public var fastRetries: UInt8 { get { cursor } set { cursor = newValue } }
}
