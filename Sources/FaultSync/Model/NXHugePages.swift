/// Actor X: a write to the `nx_huge_pages` module parameter, set_nx_huge_pages()
/// (arch/x86/kvm/mmu/mmu.c): for each VM, mutex_lock(&kvm->slots_lock); kvm_mmu_zap_all_fast();
/// mutex_unlock(&kvm->slots_lock). No SRCU synchronization, no memslot change. The toggle's
/// effect on mapping levels (NX huge pages split for executable mappings) is not modelled.
extension World {
    mutating func startNx(_ a: Int) {
        actors[a].pc = .x0Lock
    }

    mutating func stepNx(_ a: Int) {
        switch actors[a].pc {
        case .x0Lock:
            slotsLockHolder = UInt8(a)        // X0 mutex_lock(&kvm->slots_lock)
            actors[a].pc = .x1ZapAllFast
        case .x1ZapAllFast:
            writeLock(a)                      // X1 kvm_mmu_zap_all_fast()
            zapAllFast()
            writeUnlock(a)
            actors[a].pc = .x2Unlock
        case .x2Unlock:
            slotsLockHolder = none8           // X2 mutex_unlock(&kvm->slots_lock)
            actors[a].pc = .idle
        default:
            break
        }
    }

    /// kvm_mmu_zap_all_fast() with mmu_lock held for write: R1-R4 mark the root invalid (bump
    /// the generation) and request KVM_REQ_MMU_FREE_OBSOLETE_ROOTS; R5/R6 zap everything
    /// reachable from it before returning (one step here; see the README's Limitations).
    mutating func zapAllFast() {
        rootGen &+= 1
        zapLeafs(0, gfnCount)
        hasPT = 0
    }
}
