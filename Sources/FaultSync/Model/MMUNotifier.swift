/// Actor N: a host-mm operation (the environment) bracketed by KVM's MMU notifier,
/// kvm_mmu_notifier_invalidate_range_start/_end (virt/kvm/kvm_main.c), N1-N7.
/// Arguments: a0 = HostOp, [lo, hi) = hva range (widened to whole huge blocks when a block is a
/// THP: the primary MMU splits/collapses whole PMDs), flagA = mmu_notifier_range_blockable().
/// Locals: container = memslots the walk dereferenced, cursor = slot id being handled,
/// found = a memslot was hit (mmu_lock taken), cursor/zap position in a1/a2.
extension World {
    mutating func startHost(_ a: Int, op: HostOp, lo: Int, count: Int, blockable: Bool, folios: UInt8 = 0) {
        var l = lo, h = min(lo + count, hvaCount)
        if op == .collapse || op == .split {
            l = (lo / Cap.hugePages) * Cap.hugePages
            h = l + Cap.hugePages
        }
        actors[a].hostOp = op
        actors[a].lo = UInt8(l)
        actors[a].hi = UInt8(h)
        actors[a].blockable = blockable
        actors[a].truncFolios = folios
        actors[a].found = false
        actors[a].pc = .n1Count
    }

    /// The hva range a host op really changes: [lo, hi) widened to every THP block it touches
    /// (the primary MMU splits or collapses whole PMDs, inside one notifier range).
    @inline(__always) func hostOpRange(_ a: Int) -> (Int, Int) { hostOpRange(actors.at(a)) }
    @inline(__always) func hostOpRange(_ x: Actor) -> (Int, Int) {
        var lo = Int(x.lo), hi = Int(x.hi)
        for b in 0..<(hvaCount / Cap.hugePages) where hostHuge & (1 << UInt16(b)) != 0 {
            let bs = b * Cap.hugePages
            if bs < hi && bs + Cap.hugePages > lo { lo = min(lo, bs); hi = max(hi, bs + Cap.hugePages) }
        }
        return (lo, hi)
    }

    /// Between N1 (which took its blocks) and N6 (which gives them back).
    @inline(__always) func hostOpInFlight(_ x: Actor) -> Bool {
        x.pc.rawValue > PC.n1Count.rawValue && x.pc.rawValue <= PC.n6Uncount.rawValue
    }

    /// hva blocks covered by [lo, hi).
    @inline(__always) func blockMask(_ lo: Int, _ hi: Int) -> UInt16 {
        var m: UInt16 = 0
        var b = lo / Cap.hugePages
        while b * Cap.hugePages < hi { m |= 1 << UInt16(b); b += 1 }
        return m
    }

    /// The gfn range of slot id `id` in container `c` that the hva range [lo, hi) hits, if any.
    @inline(__always) func hvaToGfnRange(container c: Int, id: Int, _ lo: Int, _ hi: Int) -> (Int, Int)? {
        let o = containers[c].slot[id]
        guard o != none8 else { return nil }
        let s = objs[Int(o)]
        let hs = max(lo, Int(s.uaddr)), he = min(hi, Int(s.uaddr) + Int(s.npages))
        guard hs < he else { return nil }
        return (Int(s.base) + hs - Int(s.uaddr), Int(s.base) + he - Int(s.uaddr))
    }

    /// The order of kvm_for_each_memslot_in_hva_range(): the set's interval tree of hvas,
    /// by start (`userspace_addr`), equal starts in insertion order (`Container.insertion`).
    @inline(__always) func hvaWalkKey(container c: Int, id: Int) -> Int {
        Int(objs[Int(containers[c].slot[id])].uaddr) * 4 + containers[c].insertionRank(id)
    }

    /// The slot id the walk of the container meets after `after` (-1: the first) among those the
    /// range hits, or -1. (Until 2026-11-29, nineteenth session, the model walked by slot id.)
    @inline(__always) func nextHit(_ a: Int, after: Int) -> Int {
        let c = Int(actors[a].container)
        // The walked set is stable while the walker is inside SRCU (the swap that would change
        // it waits for the reader), so the slot it is at is still there; -1 if not (unreachable).
        guard after < 0 || containers[c].slot[after] != none8 else { return -1 }
        let from = after < 0 ? -1 : hvaWalkKey(container: c, id: after)
        var best = -1, bestKey = Int.max
        for id in 0..<Cap.slotIDs where hvaToGfnRange(container: c, id: id, Int(actors[a].lo), Int(actors[a].hi)) != nil {
            let k = hvaWalkKey(container: c, id: id)
            if k > from && k < bestKey { best = id; bestKey = k }
        }
        return best
    }

    mutating func stepNotifier(_ a: Int) {
        switch actors[a].pc {
        case .n1Count:
            // The host op owns its PTEs (mmap_lock / PT lock) for its whole duration.
            let (lo, hi) = hostOpRange(a)
            actors[a].lo = UInt8(lo); actors[a].hi = UInt8(hi)
            hostBusy |= blockMask(lo, hi)
            if actors[a].hostOp == .unmap { hostBusyUnmap |= blockMask(lo, hi) }
            // N1 spin_lock(mn_invalidate_lock); mn_active_invalidate_count++; spin_unlock
            mnActive += 1
            ctrDirty = true
            // N2 "Invalidate pfn caches _before_ invalidating the secondary MMUs, i.e. before
            // acquiring mmu_lock": gfn_to_pfn_cache_invalidate_start(kvm, range->start, range->end),
            // in the same step (see `runnable`: N1 waits until N2 could take gpc->lock). Between
            // the two, only mn_active_invalidate_count > 0 is visible, which makes a gpc refresh
            // retry and a memslot swap wait: behaviours that N1 running later also gives.
            gpcInvalidateStart(a)
            actors[a].pc = .n3Walk

        case .n3Walk:
            // N3a/b srcu_read_lock; slots = __kvm_memslots(); walk the hva tree.
            srcuLock(a)
            actors[a].container = active
            let id = nextHit(a, after: -1)
            if id < 0 {
                actors[a].pc = .n3Unlock              // no memslot: no lock, counters untouched
            } else {
                actors[a].cursor = UInt8(id)
                actors[a].pc = .n3LockBegin
            }

        case .n3LockBegin:
            // N3d first overlapping slot: KVM_MMU_LOCK (write); on_lock = kvm_mmu_invalidate_begin
            writeLock(a)
            actors[a].found = true
            if variant == .zapBeforeRangeAdd {
                beginZapOfCursorSlot(a)
            } else {
                invalidateBegin(a)
                actors[a].pc = .n3RangeAdd
            }

        case .n3RangeAdd:
            // N3e handler kvm_mmu_unmap_gfn_range(): kvm_mmu_invalidate_range_add(), then unmap.
            let c = Int(actors[a].container)
            deref(a, containers[c].slot[Int(actors[a].cursor)])
            if let (gs, ge) = hvaToGfnRange(container: c, id: Int(actors[a].cursor), Int(actors[a].lo), Int(actors[a].hi)) {
                if variant == .zapBeforeRangeAdd && !actors[a].counted { invalidateBegin(a) }
                invalidateRangeAdd(a, gs, ge)
            }
            if variant == .zapBeforeRangeAdd { advanceToNextSlot(a) } else { beginZapOfCursorSlot(a) }

        case .n3Zap:
            // kvm_unmap_gfn_range() -> kvm_tdp_mmu_unmap_gfn_range(): one entry of one root
            // per step (World.zapStepStop). "HVA-based notifications aren't relevant to private mappings":
            // KVM_FILTER_SHARED.
            switch zapStep(a, filter: AttrFilter.sharedOnly) {
            case .more:
                // tdp_mmu_iter_cond_resched(): may drop mmu_lock when blockable
                actors[a].pc = actors[a].blockable ? .n3Yield : .n3Zap
                return
            case .nextRoot: return
            case .done: break
            }
            handlerReturns(a)                 // r.ret |= kvm_unmap_gfn_range()
            if variant == .zapBeforeRangeAdd {
                actors[a].pc = .n3RangeAdd
            } else {
                advanceToNextSlot(a)
            }

        case .n3Yield:
            // tdp_mmu_iter_cond_resched() without a yield (World.mmuHolderAtYield): go on
            // holding mmu_lock, nothing flushed. A waiter taking the lock here makes this
            // actor yield instead (World.yieldToWaiter: flush this handler call's zaps, unlock),
            // and the relock step follows.
            actors[a].pc = .n3Zap

        case .n3Relock:
            writeLock(a)                    // ... and relock
            actors[a].pc = .n3Zap

        case .n3Unlock:
            // N3f kvm_flush_remote_tlbs() if a handler zapped (flush_on_ret && r.ret); N3g
            // KVM_MMU_UNLOCK (if a slot was hit); srcu_read_unlock
            if variant != .notifierNoTlbFlush { flushOnReturn(a) } else { actors[a].tlbFlush = 0 }
            if actors[a].found { writeUnlock(a) }
            srcuUnlock(a)
            actors[a].container = none8
            actors[a].pc = .hostChange

        case .hostChange:
            // The primary MMU changes PTEs / frees pages only after invalidate_range_start returned.
            hostChange(a)
            actors[a].pc = .n5Walk

        case .n5Walk:
            // N5 kvm_mmu_notifier_invalidate_range_end(): srcu_read_lock; same memslot walk.
            srcuLock(a)
            actors[a].container = active
            let hit = nextHit(a, after: -1) >= 0
            actors[a].found = hit
            if hit || variant == .unconditionalEnd {
                actors[a].found = true
                actors[a].pc = .n5LockEnd
            } else {
                actors[a].pc = .n5Unlock
            }

        case .n5LockEnd:
            // on_lock = kvm_mmu_invalidate_end: seq++; smp_wmb(); in_progress--
            writeLock(a)
            if variant != .invalidateEndAfterUnlock { invalidateEnd(a) }
            actors[a].pc = .n5Unlock

        case .n5Unlock:
            if actors[a].found { writeUnlock(a) }
            srcuUnlock(a)
            actors[a].container = none8
            actors[a].pc = variant == .invalidateEndAfterUnlock && actors[a].found ? .n5LateEnd : .n6Uncount

        case .n5LateEnd:
            invalidateEnd(a)                // without mmu_lock
            actors[a].pc = .n6Uncount

        case .n6Uncount:
            // N6 mn_active_invalidate_count--; N7 rcuwait_wake_up() at 0 (W2 re-checks the count)
            if fixes.has(.gpcHvaRefreshMissesInvalidation) { mnEndCount &+= 1 }
            // "if (!WARN_ON_ONCE(!kvm->mn_active_invalidate_count)) --kvm->mn_active_invalidate_count;"
            if mnActive <= 0 { fail(.kernelWarn, .warnMnCountUnderflow, actor: a) } else { mnActive -= 1 }
            ctrDirty = true
            // The blocks stay owned by the other host-mm operation still in flight, if any (two
            // unmaps may overlap).
            hostBusy = 0; hostBusyUnmap = 0
            for i in 0..<Cap.actors where i != a && actors[i].kind == .mm && hostOpInFlight(actors[i]) {
                let m = blockMask(Int(actors[i].lo), Int(actors[i].hi))
                hostBusy |= m
                if actors[i].hostOp == .unmap { hostBusyUnmap |= m }
            }
            actors[a].found = false
            actors[a].pc = .idle

        default:
            break
        }
    }

    /// Set up the zap of the gfns the range hits in the slot at `cursor`.
    private mutating func beginZapOfCursorSlot(_ a: Int) {
        let c = Int(actors[a].container)
        if let (gs, ge) = hvaToGfnRange(container: c, id: Int(actors[a].cursor), Int(actors[a].lo), Int(actors[a].hi)) {
            beginZap(a, gs, ge)
            actors[a].pc = .n3Zap
        } else {
            advanceToNextSlot(a)
        }
    }

    private mutating func advanceToNextSlot(_ a: Int) {
        let id = nextHit(a, after: Int(actors[a].cursor))
        if id < 0 {
            actors[a].pc = .n3Unlock
        } else {
            actors[a].cursor = UInt8(id)
            actors[a].pc = variant == .zapBeforeRangeAdd ? .n3Zap : .n3RangeAdd
            if variant == .zapBeforeRangeAdd { beginZapOfCursorSlot(a) }
        }
    }

    /// The host page-table change itself (between start and end).
    mutating func hostChange(_ a: Int) {
        mapDirty = true
        let lo = Int(actors[a].lo), hi = Int(actors[a].hi)
        switch actors[a].hostOp {
        case .gmemTruncate:
            // INIT_SHARED: unmap_mapping_folio() clears the user PTEs of the folios the truncation
            // pass found mapped (`truncFolios`); the truncation then removes them from the page
            // cache and frees them -- under the folio lock, so no refault gets them back. A folio
            // faulted in elsewhere in the span meanwhile is not the pass's: it stays.
            let mask = actors[a].truncFolios
            for h in lo..<hi where mask & (1 << UInt8(h)) != 0 {
                if host[h].pfn != 0 {
                    host[h].pfn = 0
                    host[h].version &+= 1
                    host[h].changedAt = now
                }
                gmemTruncate(h, h + 1)
            }
        case .gmemPoison:
            // INIT_SHARED: try_to_unmap(): the user PTE becomes a hwpoison entry (a refault fails).
            for h in lo..<hi where gmemMapped(h) && host[h].pfn != 0 {
                host[h].pfn = 0
                host[h].version &+= 1
                host[h].changedAt = now
            }
        case .remap, .unmap:
            let remap = actors[a].hostOp == .remap
            for h in lo..<hi where gmemMapped(h) {
                // A MAP_SHARED mapping of the guest_memfd: zapping a PTE frees nothing (the page
                // cache holds the folio) and a refault maps the file's folio again, so `remap`
                // (zap-and-refault) is an unmap there.
                if host[h].pfn != 0 {
                    host[h].pfn = 0
                    host[h].version &+= 1
                    host[h].changedAt = now
                }
            }
            for h in lo..<hi where !gmemMapped(h) {
                let old = host[h].pfn
                let new = remap ? allocPfn(count: 1) : 0
                host[h].pfn = new
                host[h].version &+= 1
                host[h].changedAt = now
                markFreed(old)
            }
            hostHuge &= ~blockMask(lo, hi)           // a changed THP is split first
        case .collapse:
            let b = lo / Cap.hugePages
            guard hostHuge & (1 << UInt16(b)) == 0 else { return }
            guard !gmemMapped(lo) else { return }     // guest_memfd folios are order 0: no THP
            let base = allocPfn(count: Cap.hugePages)
            guard base != 0 else { return }
            for i in 0..<Cap.hugePages {
                let old = host[lo + i].pfn
                host[lo + i].pfn = base + UInt16(i)
                host[lo + i].version &+= 1
                host[lo + i].changedAt = now
                markFreed(old)
            }
            hostHuge |= 1 << UInt16(b)
        case .split:
            hostHuge &= ~blockMask(lo, hi)           // same pages, mapped by 4K PTEs now
        case .age:
            break                                    // not a notifier-bracketed change (Aging.swift)
        }
    }
}
