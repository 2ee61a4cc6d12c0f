/// Actor X: a write to the `nx_huge_pages` module parameter, set_nx_huge_pages()
/// (arch/x86/kvm/mmu/mmu.c): for each VM, mutex_lock(&kvm->slots_lock); kvm_mmu_zap_all_fast();
/// mutex_unlock(&kvm->slots_lock). No SRCU synchronization, no memslot change. The parameter
/// itself (`World.nxHugePages`) decides how executable faults map (NXRecovery.swift); the
/// recovery thread's passes (Y0-Y3) run on an actor of their own (`nxrec`), concurrently with it.
extension World {
    mutating func startNx(_ a: Int) {
        // __set_nx_huge_pages(): the parameter changes first; then, for each VM, the zap.
        nxHugePages.toggle()
        actors[a].pc = .x0Lock
    }

    mutating func stepNx(_ a: Int) {
        switch actors[a].pc {
        case .x0Lock:
            slotsLockHolder = UInt8(a)        // X0 mutex_lock(&kvm->slots_lock)
            actors[a].pc = .x1ZapAllFast
        case .x1ZapAllFast:
            zapAllFastLocked(a)               // X1 kvm_mmu_zap_all_fast(): R1-R5, then R6
        case .r6Lock, .r6Zap:
            stepZapInvalidatedRoots(a)
        case .x2Unlock:
            slotsLockHolder = none8           // X2 mutex_unlock(&kvm->slots_lock)
            actors[a].pc = .idle
        default:
            break
        }
    }

    /// kvm_mmu_zap_all_fast() R1-R5 in one write-locked step: mmu_valid_gen toggles (legacy
    /// shadow pages, none here), kvm_tdp_mmu_invalidate_roots(), KVM_REQ_MMU_FREE_OBSOLETE_ROOTS
    /// to every vCPU (it is checked through the roots' state), write_unlock. Then R6 (PCs r6Lock/
    /// r6Zap) zaps the invalidated roots under the read lock before returning to the caller.
    mutating func zapAllFastLocked(_ a: Int) {
        writeLock(a)
        invalidateRoots()
        writeUnlock(a)
        if variant == .zapInvalidatedRootsAtLastPut {
            // The variant: no synchronous zap; each invalidated root is zapped when its last
            // reference is put (the zapper's reference goes now; vCPUs put theirs on reload).
            for r in 0..<Cap.roots where roots[r].scheduledToZap {
                roots[r].scheduledToZap = false
                putRoot(UInt8(r))
            }
            actors[a].pc = afterZapAllFast(a)
        } else {
            actors[a].pc = .r6Lock
        }
    }

    /// R6 kvm_tdp_mmu_zap_invalidated_roots(kvm, true): read_lock, then per step one entry of a
    /// scheduled root's 4K or 2M pass (tdp_mmu_zap_root) or the put of a zapped root;
    /// read_unlock after each. tdp_mmu_iter_cond_resched() yields (cond_resched_rwlock_read) when
    /// need_resched() or (CONFIG_PREEMPTION) a writer waits, at any entry after progress, and there is such an entry
    /// between any two of these steps; to the other readers a yield changes nothing.
    mutating func stepZapInvalidatedRoots(_ a: Int) {
        switch actors[a].pc {
        case .r6Lock:
            readLock()
            actors[a].pc = .r6Zap
        case .r6Zap:
            let more = zapInvalidatedRootsStep() && anyRootScheduledToZap
            readUnlock()
            actors[a].pc = more ? .r6Lock : afterZapAllFast(a)
        default:
            break
        }
    }

    /// Where kvm_mmu_zap_all_fast() returns to.
    func afterZapAllFast(_ a: Int) -> PC {
        actors[a].kind == .nx ? .x2Unlock : .m5Replace
    }
}
