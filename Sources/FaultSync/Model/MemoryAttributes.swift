/// Actor T: KVM_SET_MEMORY_ATTRIBUTES -> kvm_vm_set_mem_attributes() (virt/kvm/kvm_main.c)
/// with the x86 hooks of arch/x86/kvm/mmu/mmu.c, T1-T7.
/// Arguments: [lo, hi) = gfn range, flagA = set PRIVATE (else shared).
/// Locals: cursor = slot id being handled, found = a memslot was hit (begin/end ran),
/// [zapPos, zapEnd) = the part of the current slot's range still to zap, tlbFlush.
extension World {
    mutating func startAttr(_ a: Int, lo: Int, count: Int, toPrivate: Bool) {
        actors[a].lo = UInt8(lo)
        actors[a].hi = UInt8(min(lo + count, gfnCount))
        actors[a].toPrivate = toPrivate
        actors[a].found = false
        // kvm_supported_mem_attributes() is 0 without private memory (INIT_SHARED world):
        // "if (attrs->attributes & ~supported) return -EINVAL".
        actors[a].pc = toPrivate && gmemInitShared ? .idle : .t1Lock
    }

    /// The slot id after `after` (-1: the first) among the active memslots overlapping the gfn
    /// range, in gfn order, as kvm_for_each_memslot_in_gfn_range() walks them (the memslots'
    /// gfn ranges do not overlap), or -1. (kvm_handle_gfn_range() walks under slots_lock, without
    /// SRCU.) Until 2026-11-29 (nineteenth session) the model walked by slot id.
    @inline(__always) func nextAttrSlot(_ a: Int, after: Int) -> Int {
        let c = Int(active)
        // slots_lock keeps the memslots as they are during the walk; -1 if not (unreachable).
        guard after < 0 || containers[c].slot[after] != none8 else { return -1 }
        let from = after < 0 ? -1 : Int(objs[Int(containers[c].slot[after])].base)
        var best = -1, bestBase = Int.max
        for id in 0..<Cap.slotIDs {
            let o = containers[c].slot[id]
            guard o != none8 else { continue }
            let s = objs[Int(o)]
            if Int(actors[a].lo) < Int(s.base) + Int(s.npages) && Int(s.base) < Int(actors[a].hi)
                && Int(s.base) > from && Int(s.base) < bestBase { best = id; bestBase = Int(s.base) }
        }
        return best
    }

    mutating func stepAttr(_ a: Int) {
        let lo = Int(actors[a].lo), hi = Int(actors[a].hi)
        switch actors[a].pc {
        case .t1Lock:
            slotsLockHolder = UInt8(a)        // T1 mutex_lock(&kvm->slots_lock)
            actors[a].pc = .t2Check

        case .t2Check:
            // T2 kvm_range_has_memory_attributes(): nothing to do if already set.
            var mask: UInt32 = 0
            for g in lo..<hi { mask |= 1 << UInt32(g) }
            let want = actors[a].toPrivate ? mask : 0
            if lo >= hi || privateGfns & mask == want { actors[a].pc = .t7Unlock; return }
            let id = nextAttrSlot(a, after: -1)
            if id < 0 {
                actors[a].pc = .t5Store
            } else {
                actors[a].cursor = UInt8(id)
                actors[a].pc = .t4LockBegin
            }

        case .t4LockBegin:
            // T4 kvm_handle_gfn_range(pre_set_range): first slot -> KVM_MMU_LOCK + invalidate_begin
            writeLock(a)
            actors[a].found = true
            invalidateBegin(a)
            actors[a].pc = .t4PreSet

        case .t4PreSet:
            preSetAttributes(a, id: Int(actors[a].cursor))
            actors[a].pc = .t4Zap

        case .t4Zap:
            // kvm_unmap_gfn_range() -> kvm_tdp_mmu_unmap_gfn_range() -> tdp_mmu_zap_leafs(), one
            // entry of one root per step (World.zapStepStop). "Unmap the old attribute page": range->attr_filter =
            // KVM_FILTER_SHARED when the range becomes private, else KVM_FILTER_PRIVATE;
            // kvm_unmap_gfn_range() ignores it on a VM without mirrored TDP
            // (kvm_gfn_range_filter_to_root_types() -> KVM_DIRECT_ROOTS): there both kinds of
            // SPTE in the range are zapped.
            switch zapStep(a, filter: actors[a].toPrivate ? AttrFilter.sharedOnly : AttrFilter.privateOnly) {
            case .more:
                // pre_set_range.may_block = true: tdp_mmu_iter_cond_resched() may drop mmu_lock
                actors[a].pc = .t4Yield
                return
            case .nextRoot: return
            case .done: break
            }
            handlerReturns(a)                 // ret |= handler() in kvm_handle_gfn_range()
            let id = nextAttrSlot(a, after: Int(actors[a].cursor))
            if id < 0 {
                actors[a].pc = .t4Unlock
            } else {
                actors[a].cursor = UInt8(id)
                actors[a].pc = .t4PreSet
            }

        case .t4Yield:
            // tdp_mmu_iter_cond_resched() without a yield. A waiter makes it yield
            // (World.yieldToWaiter): flush this handler call's zaps (`flush`; not the earlier
            // memslots' `ret`: finding notifier-yield-skips-pending-flush), then
            // cond_resched_rwlock_write(): unlock; T4 relock follows.
            actors[a].pc = .t4Zap

        case .t4Relock:
            writeLock(a)                      // ... and relock
            actors[a].pc = .t4Zap

        case .t4Unlock:
            flushOnReturn(a)                  // flush_on_ret: kvm_flush_remote_tlbs() if a zap ran
            writeUnlock(a)
            actors[a].pc = .t5Store

        case .t5Store:
            // T5 xa_store() of each gfn, holding no mmu_lock.
            mapDirty = true
            for g in lo..<hi {
                if actors[a].toPrivate { privateGfns |= 1 << UInt32(g) } else { privateGfns &= ~(1 << UInt32(g)) }
            }
            actors[a].pc = actors[a].found ? .t6LockEnd : .t7Unlock

        case .t6LockEnd:
            // T6 kvm_handle_gfn_range(post_set_range): KVM_MMU_LOCK; kvm_mmu_invalidate_end;
            // kvm_arch_post_set_memory_attributes() updates KVM_LPAGE_MIXED_FLAG per slot.
            writeLock(a)
            invalidateEnd(a)
            var id = nextAttrSlot(a, after: -1)
            while id >= 0 {
                let o = Int(containers[Int(active)].slot[id])
                objs[o].mixed = mixedMask(base: Int(objs[o].base), npages: Int(objs[o].npages))
                id = nextAttrSlot(a, after: id)
            }
            actors[a].pc = .t6Unlock

        case .t6Unlock:
            writeUnlock(a)
            actors[a].pc = .t7Unlock

        case .t7Unlock:
            slotsLockHolder = none8           // T7 mutex_unlock(&kvm->slots_lock)
            actors[a].found = false
            actors[a].pc = .idle

        default:
            break
        }
    }

    /// kvm_pre_set_memory_attributes() + kvm_arch_pre_set_memory_attributes() for one slot:
    /// range_add the clipped range, the head/tail huge pages that could still be mapped huge
    /// (9129633d568e), then unmap SPTEs of the old attribute.
    private mutating func preSetAttributes(_ a: Int, id: Int) {
        let s = objs[Int(containers[Int(active)].slot[id])]
        let start = max(Int(actors[a].lo), Int(s.base))
        let end = min(Int(actors[a].hi), Int(s.base) + Int(s.npages))
        invalidateRangeAdd(a, start, end)
        if variant != .attrNoHeadTailRanges {
            let n = Cap.hugePages
            let hs = (start / n) * n, te = ((end - 1) / n) * n
            let slotEnd = Int(s.base) + Int(s.npages)
            if (hs != start || hs + n > end) && hs >= Int(s.base) && hs + n <= slotEnd
                && s.mixed & (1 << UInt8(hs / n)) == 0 {
                invalidateRangeAdd(a, hs, hs + n)
            }
            if te != hs && te + n > end && te + n <= slotEnd && s.mixed & (1 << UInt8(te / n)) == 0 {
                invalidateRangeAdd(a, te, te + n)
            }
        }
        // Then the unmap of [start, end) (T4 zap steps).
        beginZap(a, start, end)
    }
}
