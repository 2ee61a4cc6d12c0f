/// Actor A: an APICv inhibit or activation, __kvm_set_or_clear_apicv_inhibit() (arch/x86/kvm/x86.c),
/// under apicv_update_lock (write; one such actor, so never contended here):
///     kvm_make_all_cpus_request(kvm, KVM_REQ_APICV_UPDATE);
///     kvm->arch.apicv_inhibit_reasons = new;
///     if (new) { idx = srcu_read_lock(&kvm->srcu);
///                kvm_zap_gfn_range(kvm, gfn, gfn+1);   /* the APIC access page */
///                srcu_read_unlock(&kvm->srcu, idx); }
/// kvm_zap_gfn_range() (arch/x86/kvm/mmu/mmu.c): write_lock; kvm_mmu_invalidate_begin;
/// kvm_mmu_invalidate_range_add; kvm_tdp_mmu_zap_leafs (valid roots; a one-gfn range never
/// yields); flush; kvm_mmu_invalidate_end; write_unlock -- one atomic step here, as nothing can
/// run while it holds mmu_lock for write. The fault reads kvm_apicv_activated() without a lock,
/// after its mmu_seq snapshot (F6b-d), so the seq bump is what stops a stale install.
/// Arguments: flagA = inhibit (else activate).
public let apicGfnMarker: UInt8 = 0xFF   // Event.y of a fault on the APIC access page

extension World {
    mutating func startApicv(_ a: Int, inhibit: Bool) {
        actors[a].inhibit = inhibit
        actors[a].pc = .a0Update
    }

    mutating func stepApicv(_ a: Int) {
        switch actors[a].pc {
        case .a0Update:
            let new = actors[a].inhibit
            if new == apicvInhibited { actors[a].pc = .idle; return }   // activation unchanged
            apicvInhibited = new
            mapDirty = true
            if new {
                apicZapPending = true
                srcuLock(a)
                actors[a].pc = .a1ZapGfnRange
            } else {
                actors[a].pc = .idle
            }
        case .a1ZapGfnRange:
            writeLock(a)
            let g = apicGfn
            if variant != .zapGfnRangeWithoutInvalidation {
                invalidateBegin(a)
                invalidateRangeAdd(a, g, g + 1)
            }
            // "if (flush) kvm_flush_remote_tlbs_range()" before kvm_mmu_invalidate_end().
            if zapLeafs(g, g + 1, validOnly: true) { tlbFlushRange(g, g + 1) }
            apicZapPending = false
            mapDirty = true
            if variant != .zapGfnRangeWithoutInvalidation { invalidateEnd(a) }
            writeUnlock(a)
            actors[a].pc = .a2Unlock
        case .a2Unlock:
            srcuUnlock(a)
            actors[a].pc = .idle
        default:
            break
        }
    }
}
