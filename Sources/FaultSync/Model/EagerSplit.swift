/// Eager page splitting when dirty logging is enabled: kvm_commit_memory_region() ->
/// kvm_arch_commit_memory_region() -> kvm_mmu_slot_apply_flags() (arch/x86/kvm/x86.c) ->
/// kvm_mmu_slot_try_split_huge_pages() (mmu.c) -> kvm_tdp_mmu_try_split_huge_pages() ->
/// tdp_mmu_split_huge_pages_root() (tdp_mmu.c), E1-E3, run by the memslot ioctl (slots_lock
/// held) after nr_memslots_dirty_logging is updated and before kfree(old) (M7).
///
/// For a KVM_MR_FLAGS_ONLY change that turns KVM_MEM_LOG_DIRTY_PAGES on, with the
/// `eager_page_split` parameter at its default (Y), no KVM_MEM_READONLY and no
/// KVM_DIRTY_LOG_INITIALLY_SET (neither is in the model). Under mmu_lock held for read, every huge
/// SPTE of the new slot in every valid root is replaced by a page table of 4K SPTEs mapping the
/// same pages (tdp_mmu_split_huge_page() -> tdp_mmu_link_sp(), an atomic cmpxchg of the SPTE). The
/// page table is allocated with GFP_KERNEL_ACCOUNT, so before each split the walk drops mmu_lock
/// (and RCU), allocates, retakes it and restarts at the SPTE (`iter.yielded = true`), re-reading it:
/// meanwhile an invalidation may have zapped it, or a fault split it. The write-protection that
/// follows (kvm_mmu_slot_remove_write_access) changes no pfn and is not modelled (SPTEs have no
/// permission bits).
///
/// Locals: root = the root walked (a reference held, as for_each_valid_tdp_mmu_root_yield_safe
/// does), cursor = the block the walk is at, found = a page table is allocated (`sp`), phase = 3
/// once M7's count update ran. Variant `eager-split-stale-spte`: lo = 1 with the huge SPTE read
/// before the lock was dropped in pfn / hva / level (its incarnation).
extension World {
    /// Whether M7 of this memslot change runs the eager split (kvm_mmu_slot_apply_flags():
    /// FLAGS_ONLY, LOG_DIRTY_PAGES turned on).
    func eagerSplitRuns(_ a: Int, oldLog: Bool, newLog: Bool) -> Bool {
        actors[a].memslotOp == .flags && newLog && !oldLog
    }

    mutating func stepEagerSplit(_ a: Int) {
        switch actors[a].pc {
        case .e1Lock:
            // read_lock(&kvm->mmu_lock); for_each_valid_tdp_mmu_root_yield_safe: the first valid
            // root, with a reference (kvm_tdp_mmu_get_root). The model has one valid root at most,
            // and a root made valid later goes to the list's head, behind the walk.
            readLock()
            let r = validRoot
            if r >= 0 { roots[r].refs += 1; actors[a].root = UInt8(r) } else { actors[a].root = none8 }
            let s = objs[Int(actors[a].newObj)]
            actors[a].cursor = UInt8(Int(s.base) / Cap.hugePages)
            actors[a].found = false
            actors[a].lo = 0
            actors[a].pc = .e2Split

        case .e2Split:
            let r = Int(actors[a].root)
            let s = objs[Int(actors[a].newObj)]
            let end = Int(s.base) + Int(s.npages)
            var b = Int(actors[a].cursor)
            if r < Cap.roots {
                while b * Cap.hugePages < end && !roots[r].huge[b].present { b += 1 }
            }
            if r >= Cap.roots || b * Cap.hugePages >= end {
                // The walk is done: an unused sp is freed; the iterator puts the root (no
                // other valid root to go on to); read_unlock(&kvm->mmu_lock).
                if r < Cap.roots { putRoot(UInt8(r)) }
                readUnlock()
                actors[a].root = none8
                actors[a].found = false
                actors[a].pc = .m7FreeOld
                return
            }
            actors[a].cursor = UInt8(b)
            if !actors[a].found {
                // No sp yet: rcu_read_unlock; read_unlock; tdp_mmu_alloc_sp_for_split() (E3).
                if variant == .eagerSplitStaleSpte {
                    let h = roots[r].huge[b]
                    actors[a].lo = 1; actors[a].pfn = h.pfn; actors[a].hva = h.hva; actors[a].level = h.incarnation
                }
                readUnlock()
                actors[a].pc = .e3Alloc
                return
            }
            // tdp_mmu_split_huge_page(): the children from the huge SPTE read in this step,
            // linked by cmpxchg against it (a failed cmpxchg retries with the new value: the
            // same as reading it here); sp->nx_huge_page_disallowed = false (zeroed allocation).
            mapDirty = true
            splitHuge(root: r, block: b)
            linkPT(root: r, block: b, disallowed: false)
            actors[a].found = false
            actors[a].cursor = UInt8(b + 1)

        case .e3Alloc:
            // read_lock(&kvm->mmu_lock); rcu_read_lock(); iter.yielded = true: the walk restarts
            // at the SPTE and re-reads it (E2).
            readLock()
            actors[a].found = true
            if variant == .eagerSplitStaleSpte && actors[a].lo == 1 {
                // The variant: split from the SPTE read before the lock was dropped, with a plain
                // write, whatever the SPTE is now.
                let r = Int(actors[a].root), b = Int(actors[a].cursor)
                mapDirty = true
                for i in 0..<Cap.hugePages { roots[r].leaf[b * Cap.hugePages + i] = SPTE() }
                unlinkPT(root: r, block: b)
                roots[r].huge[b] = SPTE(present: true, isPrivate: false, pfn: actors[a].pfn, hva: actors[a].hva,
                                        incarnation: actors[a].level)
                splitHuge(root: r, block: b)
                linkPT(root: r, block: b, disallowed: false)
                actors[a].found = false
                actors[a].cursor = UInt8(b + 1)
                actors[a].lo = 0
            }
            actors[a].pc = .e2Split

        default:
            break
        }
    }
}
