/// Locks, SRCU, and the shared helpers of virt/kvm/kvm_main.c that several actors call.
extension World {
    // MARK: mmu_lock (rwlock on x86), slots_lock (mutex)

    @inline(__always) var mmuFreeForWrite: Bool { (mmuWriter == none8 || mmuHolderAtYield) && mmuReaders == 0 }
    @inline(__always) var mmuFreeForRead: Bool { mmuWriter == none8 || mmuHolderAtYield }

    /// The yield points of the write-locked zap walks (tdp_mmu_iter_cond_resched() between two
    /// iterator entries of tdp_mmu_zap_leafs(), may_block callers).
    @inline(__always) static func isZapYield(_ pc: PC) -> Bool {
        pc == .n3Yield || pc == .t4Yield || pc == .g3Yield || pc == .m3cYield
    }

    /// The write holder of mmu_lock is at a yield point of its zap walk. The kernel yields there
    /// or not (need_resched(), rwlock_needbreak()); a yield flushes the walk's pending zaps
    /// first, passing the point does not. The model decides when it matters: the holder's own
    /// step passes the point (no yield, no flush); a waiter that takes mmu_lock while the holder
    /// is there makes it yield first (`yieldToWaiter`). A yield nobody takes the lock in only
    /// flushes earlier, which no oracle can tell from not yielding except by a flush missing.
    @inline(__always) var mmuHolderAtYield: Bool { mmuWriter != none8 && World.isZapYield(actors.at(Int(mmuWriter)).pc) }

    /// The holder at a yield point yields to the actor taking mmu_lock now:
    /// tdp_mmu_iter_cond_resched(): "if (flush) kvm_flush_remote_tlbs(kvm)", then
    /// cond_resched_rwlock_write() drops the lock (the holder retakes it in its relock step).
    @inline(__always) mutating func yieldToWaiter() {
        guard mmuWriter != none8 else { return }
        let w = Int(mmuWriter)
        let pc = actors[w].pc
        guard World.isZapYield(pc) else { return }
        if !(pc == .n3Yield && variant == .notifierNoTlbFlush) { flushBeforeYield(w) }
        writeUnlock(w)
        switch pc {
        case .n3Yield: actors[w].pc = .n3Relock
        case .t4Yield: actors[w].pc = .t4Relock
        case .g3Yield: actors[w].pc = .g3Relock
        case .m3cYield: actors[w].pc = .m3cRelock
        default: preconditionFailure("yieldToWaiter: \(pc) is not a zap walk's yield point")
        }
        // I3 (World.checkRangeCoverage, which runs after the step): mmu_lock is off between the
        // yield and the taker's acquisition, which a write taker hides (mmuWriter is set again
        // in the same step): check here that the range is set while the lock is dropped.
        if inProgress > 0 && rangeStart == invalidGfn { fail(.rangeCoverage, .rangeUnset, actor: -1, inProgress) }
    }

    @inline(__always) mutating func writeLock(_ a: Int) { yieldToWaiter(); mmuWriter = UInt8(a); ctrDirty = true }
    @inline(__always) mutating func writeUnlock(_ a: Int) { if mmuWriter == UInt8(a) { mmuWriter = none8 }; ctrDirty = true }
    @inline(__always) mutating func readLock() { yieldToWaiter(); mmuReaders += 1 }
    @inline(__always) mutating func readUnlock() { if mmuReaders > 0 { mmuReaders -= 1 } }

    // MARK: hva_to_pfn() (GUP)

    /// hva_to_pfn() for actor `a`: the page the host maps at `h`, faulted in if the PTE is empty
    /// (populating a non-present PTE needs no notifier). Records the pfn, hva, host PTE version
    /// and the step in the actor (the ghosts the commit-time oracles compare). False when no page
    /// can be allocated (an error pfn).
    mutating func hvaToPfn(_ a: Int, hva h: Int) -> Bool {
        if host[h].pfn == 0 && gmemMapped(h) {
            // INIT_SHARED: the fault on the file mapping, kvm_gmem_fault_user_mapping():
            // kvm_gmem_get_folio() (allocated on first touch); a poisoned folio -> VM_FAULT_HWPOISON.
            if gmemPoison & (1 << UInt32(h)) != 0 { return false }
            if gmemPfn[h] == 0 {
                let p = allocPfn(count: 1)
                if p == 0 { return false }
                gmemPfn[h] = p
            }
            host[h].pfn = gmemPfn[h]
            host[h].version &+= 1
            host[h].changedAt = now
            mapDirty = true
        }
        if host[h].pfn == 0 {
            let p = allocPfn(count: 1)
            if p == 0 { return false }
            host[h].pfn = p
            host[h].version &+= 1
            host[h].changedAt = now
            mapDirty = true
        }
        actors[a].hva = UInt8(h)
        actors[a].pfn = host[h].pfn
        actors[a].hostVersion = host[h].version
        actors[a].lookupAt = now
        return true
    }

    // MARK: SRCU (kvm->srcu)

    /// srcu_read_lock(&kvm->srcu)
    @inline(__always) mutating func srcuLock(_ a: Int) { actors[a].srcuStart = now }
    /// srcu_read_unlock(&kvm->srcu)
    @inline(__always) mutating func srcuUnlock(_ a: Int) { actors[a].srcuStart = 0 }

    /// The first SRCU reader that began before `t` and is still inside, or -1.
    /// synchronize_srcu() called at `t` returns only when this is -1.
    @inline(__always) func readerBefore(_ t: UInt32) -> Int {
        withUnsafePointer(to: actors) { p in
            p.withMemoryRebound(to: Actor.self, capacity: Cap.actors) { q in
                for i in 0..<Cap.actors {
                    let s = q[i].srcuStart
                    if s != 0 && s < t { return i }
                }
                return -1
            }
        }
    }

    // MARK: mmu_invalidate_* (kvm_main.c)

    /// kvm_mmu_invalidate_begin(): in_progress++, reset the range on 0 -> 1.
    mutating func invalidateBegin(_ a: Int) {
        ctrDirty = true
        if mmuWriter != UInt8(a) { fail(.lockDiscipline, .writeWithoutMmuLock, actor: a) }
        inProgress += 1
        if inProgress == 1 { rangeStart = invalidGfn; rangeEnd = invalidGfn }
        actors[a].counted = true
        actors[a].addedLo = invalidGfn
        actors[a].addedHi = 0
    }

    /// kvm_mmu_invalidate_range_add(): merge [start, end) into [range_start, range_end);
    /// WARN_ON_ONCE(!kvm->mmu_invalidate_in_progress) first.
    mutating func invalidateRangeAdd(_ a: Int, _ start: Int, _ end: Int) {
        ctrDirty = true
        if mmuWriter != UInt8(a) { fail(.lockDiscipline, .writeWithoutMmuLock, actor: a) }
        if inProgress <= 0 { fail(.kernelWarn, .warnRangeAddOutsideInvalidation, actor: a, Int64(start), Int64(end)) }
        let s = UInt16(start), e = UInt16(end)
        let overwrite = variant == .rangeAddOverwrite ? inProgress == 1 : rangeStart == invalidGfn
        if overwrite {
            rangeStart = s; rangeEnd = e
        } else {
            rangeStart = min(rangeStart, s); rangeEnd = max(rangeEnd, e)
        }
        // ghost: the hull of what this invalidation added
        if actors[a].addedLo == invalidGfn || s < actors[a].addedLo { actors[a].addedLo = s }
        if e > actors[a].addedHi { actors[a].addedHi = e }
    }

    /// kvm_mmu_invalidate_end(): seq++, smp_wmb(), in_progress--. The range is not reset.
    mutating func invalidateEnd(_ a: Int) {
        ctrDirty = true
        if mmuWriter != UInt8(a) { fail(.lockDiscipline, .writeWithoutMmuLock, actor: a) }
        if variant != .endWithoutSeqBump { seq &+= 1 }
        inProgress -= 1
        // KVM_BUG_ON(kvm->mmu_invalidate_in_progress < 0, kvm), then
        // WARN_ON_ONCE(kvm->mmu_invalidate_range_start == INVALID_GPA): "Assert that at least
        // one range was added between start() and end(). Not adding a range isn't fatal, but it
        // is a KVM bug."
        if inProgress < 0 { fail(.counterBalance, .inProgressNegative, actor: a, inProgress) }
        if rangeStart == invalidGfn { fail(.kernelWarn, .warnEndWithoutRange, actor: a) }
        actors[a].counted = false
        actors[a].addedLo = invalidGfn
        actors[a].addedHi = 0
    }

    /// The value a fault compares against mmu_invalidate_seq (B6: a narrowed signed snapshot).
    @inline(__always) func snapshotSeq() -> UInt64 {
        if variant == .seqSnapshotInt32 {
            return UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: seq)))
        }
        return seq
    }

    /// mmu_invalidate_retry_gfn(): called with mmu_lock held.
    @inline(__always) func retryGfn(_ mmuSeq: UInt64, _ gfn: Int) -> Bool {
        if variant != .noInProgressCheck && inProgress != 0 {
            // "Dropping mmu_lock after bumping mmu_invalidate_in_progress but before updating
            // the range is a KVM bug": if (WARN_ON_ONCE(range_start == INVALID_GPA ||
            // range_end == INVALID_GPA)) return 1; -- the fault retries. The state itself is
            // reported earlier by the I3 range-unset oracle, when mmu_lock is dropped.
            if rangeStart == invalidGfn || rangeEnd == invalidGfn { return true }
            if gfn >= Int(rangeStart) && gfn < Int(rangeEnd) { return true }
        }
        if variant == .noSeqRecheck { return false }
        return seq != mmuSeq
    }

    /// mmu_invalidate_retry_gfn_unsafe(): lockless pre-check (F6f/F6i). False negatives allowed;
    /// in this sequentially consistent model it reads the same fields.
    @inline(__always) func retryGfnUnsafe(_ mmuSeq: UInt64, _ gfn: Int) -> Bool {
        if variant != .noInProgressCheck && inProgress != 0 && rangeStart != invalidGfn
            && gfn >= Int(rangeStart) && gfn < Int(rangeEnd) { return true }
        if variant == .noSeqRecheck { return false }
        return seq != mmuSeq
    }

    // MARK: SPTE zaps (kvm_unmap_gfn_range / kvm_tdp_mmu_zap_leafs)

    // kvm_unmap_gfn_range() (arch/x86/kvm/mmu/mmu.c), called by the MMU notifier, the attribute
    // path, guest_memfd and kvm_mmu_zap_memslot(), is `beginZap` + `zapStep`:
    // lockdep_assert_once(kvm->mmu_invalidate_in_progress || lockdep_is_held(kvm->slots_lock))
    // (zapping must be protected by an invalidation or, for memslot deletion, by slots_lock +
    // SRCU) is checked at each zap step; then the zap reaches both kinds of SPTE, except with
    // mirrored TDP (`--mirror-tdp`), where the filter names the kinds (the roots) it reaches.

    /// A handler call's kvm_unmap_gfn_range() of [start, end), walked by `zapStep`.
    @inline(__always) mutating func beginZap(_ a: Int, _ start: Int, _ end: Int) {
        // No walk in progress (the footprint of `roots` relies on it; debug builds check it).
        assert(actors[a].zapRootsLeft == 0, "beginZap during a walk")
        actors[a].zapStart = UInt8(start)
        actors[a].zapPos = UInt8(start)
        actors[a].zapEnd = UInt8(end)
        actors[a].zapRoot = ZapWalk.unstarted
        actors[a].zapRootsLeft = 0
    }

    /// One step of kvm_tdp_mmu_unmap_gfn_range(): one entry of one root, up to the next yield
    /// point (`zapStepStop`): a huge block, or one 4K entry of a block with a page table.
    /// __for_each_tdp_mmu_root_yield_safe() walks kvm->arch.tdp_mmu_roots from its head, where
    /// kvm_tdp_mmu_alloc_root() adds each new root (list_add_rcu): the valid root (the newest)
    /// first, then the invalid ones (KVM_INVALID_ROOTS), here in index order (they record no
    /// TLB translations, so their order changes nothing an oracle sees). Each root's
    /// tdp_mmu_zap_leafs() walks the whole range, `flush` passed from root to root
    /// (a835429cda91; the variant root-zap-flush-not-carried reverts it). The roots are picked at
    /// the first zap step. As tdp_mmu_next_root() does, the walker holds a reference on the root
    /// it walks (kvm_tdp_mmu_get_root(); put when it moves on, which may free the root), skips a
    /// listed root that was freed meanwhile (`putRoot` drops it from the walkers' roots left, as
    /// list_del_rcu() takes it off the list), and so never walks a root made after the walk
    /// began, even one reusing a listed index (list_add_rcu() puts it behind the walk).
    mutating func zapStep(_ a: Int, filter: UInt8) -> ZapProgress {
        if actors[a].zapRoot == ZapWalk.unstarted {
            let v = validRoot
            var left: UInt8 = 0
            for r in 0..<Cap.roots where roots[r].state != .free && r != v { left |= 1 << UInt8(r) }
            if v >= 0 {
                actors[a].zapRoot = UInt8(v)
            } else if left != 0 {
                let r = UInt8(left.trailingZeroBitCount)
                actors[a].zapRoot = r
                left &= ~(1 << r)
            } else {
                actors[a].zapRoot = none8
            }
            actors[a].zapRootsLeft = left
            if actors[a].zapRoot != none8 { roots[Int(actors[a].zapRoot)].refs += 1 }
        }
        let r = actors[a].zapRoot
        let pos = Int(actors[a].zapPos), end = Int(actors[a].zapEnd)
        let stop = zapStepStop(r, pos, end)
        if inProgress == 0 && slotsLockHolder != UInt8(a) {
            fail(.kernelWarn, .lockdepUnmapUnprotected, actor: a, Int64(pos), Int64(stop))
        }
        if r != none8 {
            // kvm_gfn_range_filter_to_root_types(): KVM_DIRECT_ROOTS (every SPTE) unless the VM
            // has mirrored TDP.
            noteZap(a, zapRootLeafs(Int(r), pos, stop, filter: mirrorTDP ? filter : AttrFilter.both))
            if stop < end {
                actors[a].zapPos = UInt8(stop)
                return .more
            }
        }
        // This root is done: the next live one of the list, from the range's start (get the
        // next root, then put this one).
        var left = actors[a].zapRootsLeft
        while left != 0 {
            let n = UInt8(left.trailingZeroBitCount)
            left &= ~(1 << n)
            // Listed and not freed since, so invalid (a root never becomes valid again).
            if roots[Int(n)].state == .invalid {
                roots[Int(n)].refs += 1
                putRoot(r)
                actors[a].zapRoot = n
                actors[a].zapRootsLeft = left
                actors[a].zapPos = actors[a].zapStart
                // Before a835429cda91 each root's walk started from flush = false and its
                // result was only ORed into the caller's: a yield in the next root's walk did
                // not flush this one's zaps.
                if variant == .rootZapFlushNotCarried && actors[a].tlbFlush & TLBFlush.local != 0 {
                    actors[a].tlbFlush = actors[a].tlbFlush & ~TLBFlush.local | TLBFlush.earlierRoots
                }
                return .nextRoot
            }
        }
        putRoot(r)
        actors[a].zapRoot = none8
        actors[a].zapRootsLeft = 0
        actors[a].zapPos = actors[a].zapEnd
        return .done
    }

    /// Where one zap step of root `r` from gfn `pos` stops: the next yield point of
    /// tdp_mmu_zap_leafs(). Its iterator (for_each_tdp_pte_min_level(..., PG_LEVEL_4K, ...))
    /// visits each entry of the range in pre-order and calls tdp_mmu_iter_cond_resched() before
    /// each one that makes progress (iter->next_last_level_gfn != iter->yielded_gfn): before the
    /// 2M entry of a block with no page table below it (a huge leaf or nothing: it does not step
    /// down), before each 4K entry of a block with a page table (stepping down to the table's
    /// first entry is no progress, so the point before the 2M entry is the one before its first
    /// 4K entry). So a step covers one 4K entry where the block has a page table, else the block.
    /// (Mutating only so that the hot path reads the root in place.)
    @inline(__always) mutating func zapStepStop(_ r: UInt8, _ pos: Int, _ end: Int) -> Int {
        let blockEnd = min(end, (pos / Cap.hugePages + 1) * Cap.hugePages)
        guard r != none8, r != ZapWalk.unstarted else { return blockEnd }
        let ri = Int(r), b = pos / Cap.hugePages
        if roots[ri].state != .free && roots[ri].hasPT & (1 << UInt8(b)) != 0 { return pos + 1 }
        return blockEnd
    }

    /// tdp_mmu_zap_leafs() over [start, end) of root `r` alone: whether it zapped a leaf of a
    /// valid root (its `flush`), recorded in `tlbStale` (I7).
    @inline(__always) mutating func zapRootLeafs(_ r: Int, _ start: Int, _ end: Int, filter: UInt8) -> Bool {
        guard roots[r].state != .free else { return false }
        let valid = roots[r].state == .valid
        var zapped = false
        var g = max(start, 0)
        let e = min(end, mappedGfns)
        while g < e {
            let b = g / Cap.hugePages
            if roots[r].huge[b].present && matches(roots[r].huge[b], filter) {
                if valid {
                    let g0 = b * Cap.hugePages
                    for i in 0..<Cap.hugePages { tlbStale[g0 + i] = roots[r].huge[b].pfn + UInt16(i) }
                    zapped = true
                }
                roots[r].huge[b] = SPTE()
            }
            if roots[r].leaf[g].present && matches(roots[r].leaf[g], filter) {
                if valid { tlbStale[g] = roots[r].leaf[g].pfn; zapped = true }
                roots[r].leaf[g] = SPTE()
            }
            g += 1
        }
        return zapped
    }

    @discardableResult
    mutating func zapLeafs(_ start: Int, _ end: Int, filter: UInt8 = 0, validOnly: Bool = false) -> Bool {
        // Every root, invalid ones included (kvm_tdp_mmu_unmap_gfn_range: types | KVM_INVALID_ROOTS);
        // kvm_tdp_mmu_zap_leafs() (kvm_zap_gfn_range) walks the valid roots only.
        // Returns tdp_mmu_zap_leafs()'s `flush`: a leaf of a valid root was zapped ("Zappings
        // SPTEs in invalid roots doesn't require a TLB flush"). Those translations may stay in
        // vCPU TLBs until a flush (`tlbStale`, I7).
        var zapped = false
        for r in 0..<Cap.roots where roots[r].state == .valid || (!validOnly && roots[r].state == .invalid) {
            if zapRootLeafs(r, start, end, filter: filter) { zapped = true }
        }
        return zapped
    }

    // MARK: TLB flushes (I7)

    /// kvm_flush_remote_tlbs(): no vCPU TLB keeps a translation of a zapped SPTE.
    @inline(__always) mutating func tlbFlushAll() {
        for g in 0..<mappedGfns { tlbStale[g] = 0 }
    }

    /// kvm_flush_remote_tlbs_range() / _memslot(): the gfns [start, end) only.
    @inline(__always) mutating func tlbFlushRange(_ start: Int, _ end: Int) {
        var g = max(start, 0)
        while g < min(end, mappedGfns) { tlbStale[g] = 0; g += 1 }
    }

    /// A zap by a handler call (tdp_mmu_zap_leafs() sets `flush`).
    @inline(__always) mutating func noteZap(_ a: Int, _ zapped: Bool) {
        if zapped { actors[a].tlbFlush |= TLBFlush.local }
    }

    /// tdp_mmu_iter_cond_resched(kvm, &iter, flush, ...): "if (flush) kvm_flush_remote_tlbs(kvm)"
    /// before the lock is dropped; the handler's `flush` restarts at false. The earlier handler
    /// calls' `r.ret` is not flushed (finding notifier-yield-skips-pending-flush; its fix passes
    /// it in, so the yield flushes it too and nothing is left pending).
    @inline(__always) mutating func flushBeforeYield(_ a: Int) {
        let m = yieldFlushes
        if actors[a].tlbFlush & m != 0 {
            tlbFlushAll()
            actors[a].tlbFlush &= ~m
        }
    }

    /// The `TLBFlush` bits a yield flushes: the walk's own `flush`; with the finding's fix also
    /// the earlier handler calls' (passed in) -- unless the variant root-zap-flush-not-carried
    /// starts each root's walk from false, which drops what is passed in too.
    @inline(__always) var yieldFlushes: UInt8 {
        fixes.has(.notifierYieldSkipsPendingFlush) && variant != .rootZapFlushNotCarried
            ? TLBFlush.local | TLBFlush.ret : TLBFlush.local
    }

    /// The handler call returns its `flush` to the caller (`r.ret |= handler(...)`).
    @inline(__always) mutating func handlerReturns(_ a: Int) {
        if actors[a].tlbFlush & (TLBFlush.local | TLBFlush.earlierRoots) != 0 { actors[a].tlbFlush = TLBFlush.ret }
    }

    /// The caller, before KVM_MMU_UNLOCK: "if (range->flush_on_ret && r.ret)
    /// kvm_flush_remote_tlbs(kvm)" (and likewise in __kvm_gmem_invalidate_begin()).
    @inline(__always) mutating func flushOnReturn(_ a: Int) {
        if actors[a].tlbFlush != 0 { tlbFlushAll() }
        actors[a].tlbFlush = 0
    }

    @inline(__always) private func matches(_ s: SPTE, _ filter: UInt8) -> Bool {
        filter == AttrFilter.both || (filter == AttrFilter.privateOnly) == s.isPrivate
    }

    // MARK: memslot sets (kvm_replace_memslot / kvm_swap_active_memslots / kvm_free_memslot)

    /// kvm_replace_memslot() on the inactive set: slot id -> object (or none).
    /// Ghost check (I8): nobody who could still see this container may be inside SRCU.
    mutating func replaceInactive(_ a: Int, id: Int, obj: UInt8) {
        let c = Int(active ^ 1)
        let r = readerBefore(containers[c].unpublishedAt)
        if r >= 0 { fail(.memslotFreedUnderReader, .reusedWhileReader, actor: a, Int64(c), Int64(r)) }
        containers[c].replace(id, obj)
    }

    /// W3 rcu_assign_pointer(kvm->memslots[as], inactive). Ghost: remember when each container
    /// and object stopped being reachable.
    mutating func publishInactive() {
        let old = Int(active), new = Int(active ^ 1)
        for id in 0..<Cap.slotIDs {
            let o = containers[old].slot[id]
            guard o != none8 else { continue }
            var stillThere = false
            for j in 0..<Cap.slotIDs where containers[new].slot[j] == o { stillThere = true }
            if !stillThere { objs[Int(o)].unpublishedAt = now }
        }
        containers[old].unpublishedAt = now
        // An object published again (a reverted MOVE's old slot) is reachable: its earlier stamp
        // means nothing (a later unpublish stamps it anew).
        for id in 0..<Cap.slotIDs where containers[new].slot[id] != none8 {
            objs[Int(containers[new].slot[id])].unpublishedAt = 0
        }
        active = UInt8(new)
        // W1 slots->generation = gen | KVM_MEMSLOT_GEN_UPDATE_IN_PROGRESS (set on the new set
        // before W3 publishes it). Variant mmio-gen-single-bump: the new set gets gen + 1, and
        // that is the generation from now on (no in-progress flag, no second increment).
        generation = variant == .mmioGenSingleBump ? generation &+ 1 : (generation | (1 << 63))
    }

    /// kfree() of a memslot object. Ghost checks (I8 and I9b).
    mutating func freeObj(_ a: Int, _ o: UInt8, checkSurvivors: Bool) {
        guard o != none8 else { return }
        let oi = Int(o)
        for c in 0..<2 {
            for id in 0..<Cap.slotIDs where containers[c].slot[id] == o {
                fail(.memslotFreedUnderReader, .freedWhilePublished, actor: a, Int64(oi))
            }
        }
        let r = readerBefore(objs[oi].unpublishedAt)
        if r >= 0 { fail(.memslotFreedUnderReader, .freedWhileReader, actor: a, Int64(oi), Int64(r)) }
        if checkSurvivors {
            // In any root, invalid ones included: nothing could reach them after the delete.
            let inc = objs[oi].incarnation
            for r in 0..<Cap.roots where roots[r].state != .free {
                for g in 0..<mappedGfns where roots[r].leaf[g].present && roots[r].leaf[g].incarnation == inc {
                    fail(.spteSurvivesDelete, .survivesDelete, actor: a, Int64(g), Int64(oi))
                }
                for b in 0..<mappedBlocks where roots[r].huge[b].present && roots[r].huge[b].incarnation == inc {
                    fail(.spteSurvivesDelete, .survivesDelete, actor: a, Int64(b * Cap.hugePages), Int64(oi))
                }
            }
        }
        objs[oi].state = .freed
    }

    /// Dereference of a memslot object by a reader: freed -> use-after-free (I8).
    @inline(__always) mutating func deref(_ a: Int, _ o: UInt8) {
        if o != none8 && objs[Int(o)].state == .freed {
            fail(.memslotFreedUnderReader, .useAfterFree, actor: a, Int64(o))
        }
    }

    /// Blocks of `slot` whose attributes are not uniform (KVM_LPAGE_MIXED_FLAG), computed from
    /// the attribute array (kvm_mmu_init_memslot_memory_attributes / hugepage_set_mixed).
    func mixedMask(base: Int, npages: Int) -> UInt8 {
        var m: UInt8 = 0
        var b = base / Cap.hugePages
        while b * Cap.hugePages < base + npages && b < Cap.blocks {
            let bits = (privateGfns >> UInt32(b * Cap.hugePages)) & 0xF
            if bits != 0 && bits != 0xF { m |= 1 << UInt8(b) }
            b += 1
        }
        return m
    }
}

extension InlineArray {
    /// Element `i`, read through a pointer. In a non-mutating method of a large struct, a plain
    /// subscript copies the whole array first (measured: 5x slower for `actors[a].pc`, and
    /// `span` copies the whole world); use this on hot read paths.
    @inline(__always) func at(_ i: Int) -> Element {
        precondition(UInt(bitPattern: i) < UInt(count))
        return withUnsafePointer(to: self) { $0.withMemoryRebound(to: Element.self, capacity: count) { $0[i] } }
    }
}

/// `enum kvm_gfn_range_filter` as the model passes it: which SPTE kinds an unmap may reach (on a
/// VM with mirrored TDP; every other VM zaps both).
public enum AttrFilter {
    public static let both: UInt8 = 0          // KVM_FILTER_SHARED | KVM_FILTER_PRIVATE
    public static let sharedOnly: UInt8 = 1    // KVM_FILTER_SHARED: direct roots
    public static let privateOnly: UInt8 = 2   // KVM_FILTER_PRIVATE: mirror roots
}
