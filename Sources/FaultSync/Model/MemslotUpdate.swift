/// Actor M: KVM_SET_USER_MEMORY_REGION -> kvm_set_memory_region() -> kvm_set_memslot()
/// (virt/kvm/kvm_main.c), M0-M8, with kvm_swap_active_memslots() W1-W7.
/// Arguments: a0 = MemslotOp, a1 = slot id, a2 = base gfn, a3 = npages, hva = uaddr,
/// flagA = dirty logging on (flags-only), flagB = KVM_MEM_GUEST_MEMFD (create). Locals: slotObj = old, newObj = new
/// (none for a MOVE whose kvm_prepare_memory_region() will fail),
/// invalidObj = invalid_slot, phase = 1 (kvm_invalidate_memslot swap) / 2 (activate swap).
extension World {
    mutating func startMemslot(_ a: Int, op: MemslotOp, id: Int, base: Int, npages: Int, uaddr: Int, dirty: Bool,
                               gmem: Bool = false) {
        actors[a].memslotOp = op
        actors[a].slotID = UInt8(id)
        actors[a].newBase = UInt8(base)
        actors[a].newPages = UInt8(npages)
        actors[a].hva = UInt8(uaddr)
        actors[a].dirtyLog = dirty
        actors[a].gmemCreate = gmem
        actors[a].slotObj = none8; actors[a].newObj = none8; actors[a].invalidObj = none8
        actors[a].pc = .m0Lock
    }

    mutating func stepMemslot(_ a: Int) {
        let op = actors[a].memslotOp
        let id = Int(actors[a].slotID)
        switch actors[a].pc {
        case .m0Lock:
            slotsLockHolder = UInt8(a)        // M0 mutex_lock(&kvm->slots_lock)
            actors[a].pc = .m1Prepare

        case .m1Prepare:
            prepareMemslot(a, op: op, id: id)

        case .m3aInvalidate:
            // M3a kvm_invalidate_memslot(): copy old, set KVM_MEMSLOT_INVALID, replace in inactive set
            replaceInactive(a, id: id, obj: actors[a].invalidObj)
            actors[a].phase = 1
            actors[a].pc = .wSwap

        case .wSwap:
            // W1 generation |= IN_PROGRESS; W2 wait for mn_active_invalidate_count == 0 under
            // mn_invalidate_lock; W3 rcu_assign_pointer(kvm->memslots[as], slots); W4/W5 unlock.
            publishInactive()
            actors[a].syncFrom = now
            actors[a].pc = (variant == .reuseInactiveBeforeSync && actors[a].phase == 2) ? .m5ReplaceAfter : .wSync

        case .wSync:
            // W6 synchronize_srcu_expedited(&kvm->srcu); W7 gen = (generation & ~IN_PROGRESS) +
            // kvm_arch_nr_memslot_as_ids() (one address space here); kvm_arch_memslots_updated()
            // -> kvm_mmu_invalidate_mmio_sptes() (zaps all only when the 18-bit MMIO generation
            // wraps, which no schedule here reaches); slots->generation = gen.
            if variant != .mmioGenSingleBump { generation = (generation & ~(1 << 63)) &+ 1 }
            if actors[a].phase == 1 {
                actors[a].pc = .m3cFlush
            } else if variant == .reuseInactiveBeforeSync {
                actors[a].pc = afterActivate(op)
            } else {
                actors[a].pc = .m5ReplaceAfter
            }

        case .m3cFlush:
            // M3c kvm_arch_flush_shadow_memslot(). No in_progress: slots_lock + SRCU sync.
            let old = objs[Int(actors[a].slotObj)]
            if zapAllOnSlotChange {
                zapAllFastLocked(a)            // R1-R5 now, R6 in the next steps
            } else {
                // kvm_mmu_zap_memslot(): write_lock(&kvm->mmu_lock), then kvm_unmap_gfn_range()
                // of the whole slot, shared and private (attr_filter = KVM_FILTER_PRIVATE |
                // KVM_FILTER_SHARED), with range.may_block = true: M3c zap steps.
                writeLock(a)
                beginZap(a, Int(old.base), Int(old.base) + Int(old.npages))
                actors[a].pc = .m3cZap
            }

        case .m3cZap:
            // kvm_tdp_mmu_unmap_gfn_range(), one entry of one root per step (World.zapStep);
            // no in_progress: slots_lock + SRCU sync (the lockdep assertion's other half).
            switch zapStep(a, filter: AttrFilter.both) {
            case .more: actors[a].pc = .m3cYield     // may_block: tdp_mmu_iter_cond_resched()
            case .nextRoot: break
            case .done:
                handlerReturns(a)                     // flush = kvm_unmap_gfn_range(kvm, &range)
                actors[a].pc = .m3cUnlock
            }

        case .m3cYield:
            // tdp_mmu_iter_cond_resched() without a yield; a waiter makes it yield
            // (World.yieldToWaiter: if (flush) kvm_flush_remote_tlbs(kvm), unlock).
            actors[a].pc = .m3cZap

        case .m3cRelock:
            writeLock(a)
            actors[a].pc = .m3cZap

        case .m3cUnlock:
            // kvm_mmu_zap_memslot_pages_and_flush(kvm, slot, flush): no shadow pages (TDP MMU),
            // so kvm_mmu_remote_flush_or_zap(): kvm_flush_remote_tlbs() if flush; write_unlock.
            flushOnReturn(a)
            writeUnlock(a)
            actors[a].mmuSeq = 0                      // the walk's bytes (Actor.zapPos ...)
            actors[a].pc = .m5Replace

        case .r6Lock, .r6Zap:
            stepZapInvalidatedRoots(a)

        case .e1Lock, .e2Split, .e3Alloc:
            stepEagerSplit(a)

        case .m5Replace:
            if revertsMove(a) {
                // kvm_prepare_memory_region() failed after kvm_invalidate_memslot(): for DELETE/
                // MOVE "revert the above INVALID change": kvm_activate_memslot(kvm, invalid_slot,
                // old), a swap (the inactive set still holds old: no replace first) and then
                // kvm_replace_memslot(invalid_slot, old) on the other set; kfree(invalid_slot).
                actors[a].phase = 2
                actors[a].pc = .wSwap
                return
            }
            // M5 kvm_{create,delete,move,update_flags}_memslot(): kvm_replace_memslot(old, new) in
            // the inactive set, then kvm_activate_memslot() = swap + replace on the other set.
            replaceInactive(a, id: id, obj: op == .delete ? none8 : actors[a].newObj)
            actors[a].phase = 2
            actors[a].pc = .wSwap

        case .m5ReplaceAfter:
            let back = revertsMove(a) ? actors[a].slotObj : actors[a].newObj
            replaceInactive(a, id: id, obj: op == .delete ? none8 : back)
            actors[a].pc = variant == .reuseInactiveBeforeSync ? .wSync : afterActivate(op)

        case .m6FreeInvalid:
            freeObj(a, actors[a].invalidObj, checkSurvivors: false)   // M6 kfree(invalid_slot)
            actors[a].invalidObj = none8
            // A reverted move returns the error: no commit (M7), old stays; `new` was never
            // published (kfree(new) in kvm_set_memory_region, nothing to model).
            actors[a].pc = revertsMove(a) ? .m8Unlock : .m7FreeOld

        case .m7FreeOld:
            // M7 kvm_commit_memory_region(): DELETE kvm_free_memslot(old); MOVE/FLAGS kfree(old).
            // I9b: after a delete/move no SPTE may map through the old slot.
            // kvm_free_memslot() -> kvm_gmem_unbind() for a guest_memfd slot (after two SRCU grace
            // periods; no zap), under filemap_invalidate_lock unless the file is released.
            // A dying file (refcount 0, kvm_gmem_release not yet run): the binding is removed
            // without the lock (ae431059e75d); the variant returns and leaves it to the freed slot.
            // kvm->nr_memslots_dirty_logging follows (old_flags ^ new_flags) & KVM_MEM_LOG_DIRTY_PAGES
            // (new_flags = 0 for a delete), before the old slot is freed.
            // Then kvm_arch_commit_memory_region() -> kvm_mmu_slot_apply_flags(): a flags change
            // that turns dirty logging on splits the slot's huge pages first (E1-E3, phase 3 on
            // the way back here).
            if actors[a].phase != 3 {
                let oldLog = actors[a].slotObj != none8 && objs[Int(actors[a].slotObj)].flags & MemslotFlag.dirtyLog != 0
                let newLog = op != .delete && actors[a].newObj != none8 && objs[Int(actors[a].newObj)].flags & MemslotFlag.dirtyLog != 0
                if oldLog != newLog { dirtyLogSlots = newLog ? dirtyLogSlots &+ 1 : dirtyLogSlots &- 1 }
                if eagerSplitRuns(a, oldLog: oldLog, newLog: newLog) {
                    actors[a].phase = 3
                    actors[a].pc = .e1Lock
                    return
                }
            }
            actors[a].phase = 2
            let dyingSkip = gmemDying && !gmemReleased && variant == .gmemUnbindIgnoresDyingFile
            // Only a DELETE unbinds (kvm_free_memslot() -> kvm_gmem_unbind()); a MOVE or
            // FLAGS_ONLY kfree()s old, which no binding can point at since 9935df5333aa.
            if op == .delete && actors[a].slotObj != none8 && !dyingSkip { objs[Int(actors[a].slotObj)].flags &= ~MemslotFlag.gmemBound }
            freeObj(a, actors[a].slotObj, checkSurvivors: op == .delete || op == .move)
            actors[a].slotObj = none8
            actors[a].pc = .m8Unlock

        case .m8Unlock:
            slotsLockHolder = none8           // mutex_unlock(&kvm->slots_lock)
            if actors[a].newObj != none8 { objs[Int(actors[a].newObj)].flags &= ~MemslotFlag.pending }   // ghost: the ioctl returns
            actors[a].slotObj = none8; actors[a].newObj = none8; actors[a].invalidObj = none8
            actors[a].pc = .idle

        default:
            break
        }
    }

    /// A MOVE whose kvm_prepare_memory_region() fails after the invalidation: M1 allocates no
    /// new slot for it (`prepareMemslot`).
    @inline(__always) func revertsMove(_ a: Int) -> Bool {
        actors[a].memslotOp == .move && actors[a].newObj == none8
    }

    private func afterActivate(_ op: MemslotOp) -> PC {
        switch op {
        case .create: return .m8Unlock
        case .flags: return .m7FreeOld
        case .delete, .move: return .m6FreeInvalid
        }
    }

    /// M1: validate, classify, allocate (kvm_set_memory_region / kvm_set_memslot). Invalid
    /// requests fail with nothing changed, except a MOVE past the last gfn, which fails later
    /// (no new slot is allocated for it: see `revertsMove`).
    private mutating func prepareMemslot(_ a: Int, op: MemslotOp, id: Int) {
        let c = Int(active)
        let oldIdx = containers[c].slot[id]
        actors[a].slotObj = oldIdx
        var newBase = Int(actors[a].newBase), npages = Int(actors[a].newPages)
        var uaddr = Int(actors[a].hva)
        var flags: UInt8 = 0
        var ok = true
        // Variant gmem-slot-modify-drops-flag (before 9935df5333aa): a MOVE or FLAGS_ONLY request
        // without KVM_MEM_GUEST_MEMFD on a guest_memfd slot passes the immutability check (it
        // tested the request's flags only); the new slot is a plain one (new->flags =
        // mem->flags) that nothing binds, and dropping the flag is a change by itself.
        let droppedFlags = variant == .gmemSlotModifyDropsFlag
            ? MemslotFlag.gmem | MemslotFlag.gmemBound | MemslotFlag.gmemOnly : 0
        switch op {
        case .create:
            ok = oldIdx == none8 && npages > 0
            if ok && actors[a].gmemCreate {
                // kvm_gmem_bind() (under filemap_invalidate_lock) on the new, unpublished slot:
                // -EBADF once the file is released, -EINVAL if the file range is already bound.
                flags = MemslotFlag.gmem | MemslotFlag.gmemBound | (gmemMmap ? MemslotFlag.gmemOnly : 0)
                ok = !gmemDying
                for o in 0..<Cap.objects where ok && objs[o].flags & MemslotFlag.gmemBound != 0 {
                    if newBase < Int(objs[o].base) + Int(objs[o].npages) && Int(objs[o].base) < newBase + npages { ok = false }
                }
            }
        case .delete:
            ok = oldIdx != none8
        case .move:
            ok = oldIdx != none8
            if ok {
                let o = objs[Int(oldIdx)]
                npages = Int(o.npages); uaddr = Int(o.uaddr); flags = o.flags & ~droppedFlags
                ok = newBase != Int(o.base)
            }
        case .flags:
            ok = oldIdx != none8
            if ok {
                let o = objs[Int(oldIdx)]
                newBase = Int(o.base); npages = Int(o.npages); uaddr = Int(o.uaddr)
                flags = actors[a].dirtyLog ? o.flags | MemslotFlag.dirtyLog : o.flags & ~MemslotFlag.dirtyLog
                flags &= ~droppedFlags
                ok = flags != o.flags
            }
        }
        // "Private memslots are immutable, they can only be deleted." (kvm_set_memory_region).
        // The old slot's flag decides, as since 9935df5333aa / af62fe2494da (6.19-rc1): before,
        // a request without KVM_MEM_GUEST_MEMFD could move or re-flag a guest_memfd slot and
        // leave its binding dangling (variant gmem-slot-modify-drops-flag, above).
        if ok && (op == .move || op == .flags) && objs[Int(oldIdx)].flags & MemslotFlag.gmem != 0
            && variant != .gmemSlotModifyDropsFlag { ok = false }
        // The model's gfns are the guest's physical address space: a target range that ends
        // past the last one stands for a range wholly past kvm_mmu_max_gfn() (the symbolic
        // target overlaps no memslot: none can be there, the APIC access page's included),
        // which kvm_arch_prepare_memory_region() refuses (-EINVAL) for a CREATE or MOVE -- in
        // kvm_set_memslot()'s kvm_prepare_memory_region(), after kvm_invalidate_memslot() for a
        // MOVE (which then reverts), before anything is published for a CREATE (which the model
        // refuses here: nothing observable differs; a guest_memfd CREATE past the file's end is
        // refused by kvm_gmem_bind() before anything is bound).
        let pastMaxGfn = newBase + npages > gfnCount
        if ok && (op == .create || op == .move) {
            ok = (op == .move || !pastMaxGfn) && uaddr + npages <= hvaCount
            for other in 0..<Cap.slotIDs where ok && other != id && !pastMaxGfn {
                let x = containers[c].slot[other]
                if x != none8 {
                    let s = objs[Int(x)]
                    if newBase < Int(s.base) + Int(s.npages) && Int(s.base) < newBase + npages { ok = false }
                }
            }
        }
        if !ok { actors[a].slotObj = none8; actors[a].pc = .m8Unlock; return }

        if op != .delete && !(op == .move && pastMaxGfn) {
            let n = allocObj()
            if n == none8 { actors[a].slotObj = none8; actors[a].pc = .m8Unlock; return }
            var obj = MemslotObj(state: .live, id: UInt8(id), base: UInt8(newBase), npages: UInt8(npages),
                                 uaddr: UInt8(uaddr), flags: flags, mixed: 0, incarnation: 0, unpublishedAt: 0)
            if op == .flags {
                obj.incarnation = objs[Int(oldIdx)].incarnation   // same gfn->hva mapping
                obj.mixed = objs[Int(oldIdx)].mixed               // new->arch = old->arch
            } else {
                obj.incarnation = nextIncarnation; nextIncarnation &+= 1
                obj.mixed = mixedMask(base: newBase, npages: npages)
            }
            obj.flags |= MemslotFlag.pending
            objs[Int(n)] = obj
            actors[a].newObj = n
        }
        if op == .delete || op == .move {
            let inv = allocObj()
            if inv == none8 {
                if actors[a].newObj != none8 { objs[Int(actors[a].newObj)].state = .free; actors[a].newObj = none8 }
                actors[a].slotObj = none8; actors[a].pc = .m8Unlock; return
            }
            var copy = objs[Int(oldIdx)]
            copy.flags |= MemslotFlag.invalid
            copy.flags &= ~MemslotFlag.gmemBound   // the bindings point at `old`, not at the copy
            copy.unpublishedAt = 0
            objs[Int(inv)] = copy
            actors[a].invalidObj = inv
            actors[a].pc = .m3aInvalidate
        } else {
            actors[a].pc = .m5Replace
        }
    }
}
