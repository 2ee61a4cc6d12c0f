/// Actor G: the owner of the VM's guest_memfd (virt/kvm/guest_memfd.c), G0-G7.
///
/// - fallocate(PUNCH_HOLE) -> kvm_gmem_punch_hole(): filemap_invalidate_lock (exclusive);
///   kvm_gmem_invalidate_begin(): on the first binding overlapping the range KVM_MMU_LOCK +
///   kvm_mmu_invalidate_begin, then per binding kvm_mmu_unmap_gfn_range() (range_add + zap,
///   may_block), flush, KVM_MMU_UNLOCK; truncate_inode_pages_range() (the folios are freed);
///   kvm_gmem_invalidate_end(): if a binding is in the range, KVM_MMU_LOCK +
///   kvm_mmu_invalidate_end + KVM_MMU_UNLOCK; filemap_invalidate_unlock. "Bindings must be stable
///   across invalidation to ensure the start+end are balanced": bind and unbind take the same lock.
/// - kvm_gmem_release() (the file's last reference is dropped): slots_lock, filemap_invalidate_lock,
///   slot->gmem.file = NULL for every binding, invalidate begin/zap/end over the whole file,
///   unlocks. No truncation ("its lifetime is associated with the inode, not the file"); later
///   private faults get -EFAULT.
///
/// Neither SRCU nor mn_active_invalidate_count is involved: private faults (kvm_gmem_get_pfn,
/// which takes no invalidate lock) are protected by mmu_invalidate_seq/in_progress alone (F8).
/// The model's file has one page index per gfn: each binding's offset (slot->gmem.pgoff) is its
/// base gfn. The invalidation's attr_filter (`gmemInvalidateFilter`) narrows zaps only on VMs
/// with mirrored TDP roots (WorldConfig.mirrorTDP); others zap both kinds, as
/// kvm_unmap_gfn_range() does.
///
/// Arguments: [lo, hi) = gfn range, flagA = release. Locals: found = begin ran, cursor = the
/// bound slot object being handled, zapPos/zapEnd (a1/a2) the block-wise zap.
extension PC {
    /// A guest_memfd invalidation between taking a binding (`cursor`) and leaving it: G1-G3.
    @inline(__always) var gmemIterating: Bool {
        self == .g1LockBegin || self == .g2RangeAdd || self == .g3Zap || self == .g3Yield || self == .g3Relock
    }
}

extension World {
    mutating func startGmem(_ a: Int, release: Bool, error: Bool = false, lo: Int, count: Int) {
        actors[a].gmemRelease = release
        actors[a].gmemErrorOp = error && !release
        actors[a].lo = UInt8(release ? 0 : lo)
        actors[a].hi = UInt8(release ? gfnCount : min(lo + count, gfnCount))
        actors[a].found = false
        actors[a].pfn = 0
        actors[a].retries = 0
        actors[a].truncStage = 0
        actors[a].truncIndex = 0
        actors[a].pc = release ? .g8LastPut : error ? .g10Poison : .g0InvalLock
    }

    /// The slot object of the first binding after file offset `after` (-1: the first) that
    /// overlaps [lo, hi), or -1, in file-offset order as xa_for_each_range(&f->bindings, ...)
    /// walks them (a binding's offset is its base gfn here; bindings do not overlap). Until
    /// 2026-11-29 (nineteenth session) the model walked them by object index.
    @inline(__always) func nextBinding(_ a: Int, after from: Int) -> Int {
        let lo = Int(actors[a].lo), hi = Int(actors[a].hi)
        var best = -1, bestBase = Int.max
        for o in 0..<Cap.objects {
            let s = objs[o]
            if s.flags & MemslotFlag.gmemBound != 0 && Int(s.base) < hi && lo < Int(s.base) + Int(s.npages)
                && Int(s.base) > from && Int(s.base) < bestBase { best = o; bestBase = Int(s.base) }
        }
        return best
    }

    mutating func stepGmem(_ a: Int) {
        let lo = Int(actors[a].lo), hi = Int(actors[a].hi)
        switch actors[a].pc {
        case .g10Poison:
            // memory_failure(pfn) on the folio at index lo: "if (TestSetPageHWPoison(p))" -- an
            // already poisoned page is reported and left alone -- then, for a page-cache folio,
            // truncate_error_folio() -> mapping->a_ops->error_remove_folio() = kvm_gmem_error_folio()
            // (G0...G7, under filemap_invalidate_lock_shared). No folio there: no such pfn to fail.
            let bit: UInt32 = 1 << UInt32(lo)
            if gmemPfn[lo] == 0 || gmemPoison & bit != 0 { actors[a].pc = .idle; return }
            gmemPoison |= bit
            actors[a].pfn = gmemPfn[lo]
            mapDirty = true
            // hwpoison_user_mappings(): a folio mapped in userspace is unmapped first (INIT_SHARED).
            actors[a].pc = gmemMappedSpan(lo, lo + 1) != nil ? .g10Unmap : .g0InvalLock

        case .g10Unmap:
            // try_to_unmap(): the MMU-notifier invalidation of the user mapping, run here by an
            // idle host-mm actor (`runnable` waits for one) while this thread waits for it.
            let m = idleMMActor
            startHost(m, op: .gmemPoison, lo: lo, count: 1, blockable: true)
            actors[a].cursor = UInt8(m)
            actors[a].pc = .g10Wait

        case .g10Wait:
            actors[a].pc = .g0InvalLock

        case .g8LastPut:
            // The fd's last reference is dropped (close, or the last fput): from now on
            // get_file_active() fails -- faults get -EFAULT, kvm_gmem_unbind() sees a dying file --
            // and __fput() calls kvm_gmem_release() later (G0...).
            if gmemDying { actors[a].pc = .idle; return }   // already closed
            // INIT_SHARED: the VMM's mapping of the file holds a reference (the VMA's vm_file),
            // so closing the fd is not the last put.
            if gmemInitShared { actors[a].pc = .idle; return }
            gmemDying = true
            actors[a].pc = .g0InvalLock

        case .g0InvalLock:
            // kvm_gmem_release(): mutex_lock(&kvm->slots_lock) first; filemap_invalidate_lock().
            if actors[a].gmemRelease { slotsLockHolder = UInt8(a) }
            gmemInvalidateLock = UInt8(a)
            // A punch hole needs an open fd: once its last reference is gone there is none.
            // (kvm_gmem_error_folio() needs none: the inode lives until it is evicted.) The error
            // path takes the lock shared; the model's one guest_memfd actor never overlaps it
            // with another shared holder, and the writers (punch hole, release, bind/unbind) are
            // excluded either way.
            if !actors[a].gmemRelease && !actors[a].gmemErrorOp && gmemDying { actors[a].pc = .g7Unlock; return }
            if actors[a].gmemErrorOp && variant == .gmemErrorWithoutInvalidation { actors[a].pc = .g7Unlock; return }
            if actors[a].gmemRelease {
                // xa_for_each(&f->bindings, index, slot) WRITE_ONCE(slot->gmem.file, NULL): a
                // binding left to a freed memslot is a use-after-free (ae431059e75d).
                for o in 0..<Cap.objects where objs[o].flags & MemslotFlag.gmemBound != 0 && objs[o].state != .live {
                    fail(.memslotFreedUnderReader, .useAfterFree, actor: a, Int64(o))
                }
                gmemReleased = true
                if variant == .gmemReleaseWithoutInvalidation { actors[a].pc = .g7Unlock; return }
            }
            let o = nextBinding(a, after: -1)
            if o < 0 {
                actors[a].pc = .g5Truncate
            } else {
                actors[a].cursor = UInt8(o)
                actors[a].bindingOffset = objs[o].base
                actors[a].pc = .g1LockBegin
            }

        case .g1LockBegin:
            writeLock(a)
            actors[a].found = true
            invalidateBegin(a)
            actors[a].pc = .g2RangeAdd

        case .g2RangeAdd:
            // kvm_mmu_unmap_gfn_range(): kvm_mmu_invalidate_range_add(), then kvm_unmap_gfn_range().
            // The binding's slot is read (slot->base_gfn, slot->gmem.pgoff): a freed one is a
            // use-after-free. (kvm_gmem_invalidate_begin() reads it before KVM_MMU_LOCK, at G1;
            // nothing in between touches it.)
            deref(a, actors[a].cursor)
            let s = objs[Int(actors[a].cursor)]
            let start = max(lo, Int(s.base)), end = min(hi, Int(s.base) + Int(s.npages))
            invalidateRangeAdd(a, start, end)
            beginZap(a, start, end)
            actors[a].pc = .g3Zap

        case .g3Zap:
            // kvm_unmap_gfn_range(): one entry of one root per step (World.zapStepStop).
            let progress = zapStep(a, filter: gmemInvalidateFilter)
            if progress == .nextRoot { return }
            if progress == .more {
                actors[a].pc = .g3Yield              // may_block: tdp_mmu_iter_cond_resched()
            } else {
                handlerReturns(a)                    // flush |= kvm_mmu_unmap_gfn_range()
                let o = nextBinding(a, after: Int(actors[a].bindingOffset))
                if o < 0 {
                    actors[a].bindingOffset = 0
                    actors[a].pc = .g4Unlock
                } else {
                    actors[a].cursor = UInt8(o)
                    actors[a].bindingOffset = objs[o].base
                    actors[a].pc = .g2RangeAdd
                }
            }

        case .g3Yield:
            // tdp_mmu_iter_cond_resched() without a yield; a waiter makes it yield
            // (World.yieldToWaiter: "if (flush)" flush, unlock), then G3 relock.
            actors[a].pc = .g3Zap

        case .g3Relock:
            writeLock(a)
            actors[a].pc = .g3Zap

        case .g4Unlock:
            flushOnReturn(a)                     // if (flush) kvm_flush_remote_tlbs(); KVM_MMU_UNLOCK
            writeUnlock(a)
            actors[a].pc = variant == .gmemInvalidateEndBeforeTruncate && !actors[a].gmemRelease ? .g6LockEnd : .g5Truncate

        case .g5Truncate:
            // kvm_gmem_punch_hole(): truncate_inode_pages_range(), one pass per step (below).
            // kvm_gmem_release() does not truncate. kvm_gmem_error_folio(): "Do not truncate the
            // range, what action is taken in response to the error is userspace's decision".
            if !actors[a].gmemRelease && !actors[a].gmemErrorOp && truncatePass(a) { return }
            if variant == .gmemInvalidateEndBeforeTruncate && !actors[a].gmemRelease {
                actors[a].pc = .g7Unlock
            } else {
                // __kvm_gmem_invalidate_end() tests xa_find(bindings in range) only, not whether
                // begin ran: stable bindings (the invalidate lock) are what balances the two.
                actors[a].pc = nextBinding(a, after: -1) >= 0 ? .g6LockEnd : .g7Unlock
            }

        case .g5Wait:
            // The user mappings' invalidation has ended (its host-mm actor truncated the folios
            // it unmapped): the truncation goes on from where its pass left `truncStage`.
            actors[a].pc = .g5Truncate

        case .g6LockEnd:
            // kvm_gmem_invalidate_end(): xa_find(bindings in range) -> KVM_MMU_LOCK; end; UNLOCK.
            writeLock(a)
            invalidateEnd(a)
            writeUnlock(a)
            actors[a].pc = variant == .gmemInvalidateEndBeforeTruncate && !actors[a].gmemRelease ? .g5Truncate : .g7Unlock

        case .g7Unlock:
            if gmemInvalidateLock == UInt8(a) { gmemInvalidateLock = none8 }
            if actors[a].gmemErrorOp { gmemErrorHandled(a) }
            if actors[a].gmemRelease && slotsLockHolder == UInt8(a) { slotsLockHolder = none8 }
            actors[a].found = false
            // After kvm_gmem_release() returns, __fput() puts the inode; with no other reference
            // (no user mapping: in the INIT_SHARED world the mapping holds the file, and release
            // never runs) it is evicted.
            actors[a].pc = actors[a].gmemRelease ? .g9Evict : .idle

        case .g9Evict:
            // evict() -> kvm_gmem_evict_inode / truncate_inode_pages_final: every folio is freed.
            gmemTruncate(0, gfnCount)
            actors[a].pc = .idle

        default:
            break
        }
    }

    /// One pass of truncate_inode_pages_range() (mm/truncate.c; read at Kingxukai/linux
    /// 0291023e7330, ~6.17-rc3) over the punch hole [lo, hi) of order-0 folios, at stage
    /// `truncStage` (the phase 2 index in `truncIndex`). Returns false when the truncation is over.
    ///
    ///     index = start;                                          stage 0: phase 1
    ///     while (index < end && find_lock_entries(mapping, &index, end - 1, ...))
    ///             truncate_cleanup_folio() (unmap_mapping_folio if mapped); delete_from_page_cache_batch()
    ///     folio = __filemap_get_folio(lstart >> PAGE_SHIFT)      stage 1: truncate it if present
    ///     if (!same_folio) folio = __filemap_get_folio(lend >> PAGE_SHIFT)   stage 2: likewise
    ///     index = start;                                          stage 3: phase 2
    ///     while (index < end) {
    ///             cond_resched();
    ///             if (!find_get_entries(mapping, &index, end - 1, ...)) {
    ///                     if (index == start) break;              /* all gone */
    ///                     index = start; continue;                /* restart: a retry */
    ///             }
    ///             truncate_inode_folio() each (unmap_mapping_folio if mapped); index = last + 1
    ///     }
    ///
    /// A folio faulted into the hole after a pass looked (kvm_gmem_fault_user_mapping or
    /// kvm_gmem_get_pfn take no lock the punch hole holds) is found only by a later pass, and
    /// phase 2 restarts only when its last lookup began past `start` and found nothing: a pass
    /// that ends on the hole's last page ends the truncation, so a one-page hole never restarts.
    /// Each pass is one step: a folio faulted in during a pass, behind its cursor, is found by
    /// the same later passes as one faulted in after it (a hole has at most 8 pages, below
    /// PAGEVEC_SIZE, so a pass is one batch). Phase 1 is one lookup: the kernel's loop may look
    /// again past its last folio and truncate one faulted in there meanwhile; here the end-page
    /// lookup or phase 2 does. A pass's mapped folios are unmapped and freed by an idle host-mm
    /// actor (one MMU-notifier invalidation over their span, `truncFolios` naming them) while
    /// this thread waits (G5w).
    mutating func truncatePass(_ a: Int) -> Bool {
        let lo = Int(actors[a].lo), hi = Int(actors[a].hi)
        guard lo < hi else { return false }
        var s = lo, e = hi
        let stage = actors[a].truncStage
        switch stage {
        case 0: actors[a].truncStage = 1
        case 1:
            e = lo + 1
            actors[a].truncStage = hi - 1 > lo ? 2 : 3
            actors[a].truncIndex = UInt8(lo)
        case 2:
            s = hi - 1
            actors[a].truncStage = 3
            actors[a].truncIndex = UInt8(lo)
        default:
            s = Int(actors[a].truncIndex)
            if s >= hi { return false }
            var last = -1
            for g in s..<hi where gmemPfn[g] != 0 { last = g }
            if last < 0 {
                if s == lo { return false }          // "If all gone from start onwards, we're done"
                actors[a].truncIndex = UInt8(lo)     // "Otherwise restart to make sure all gone"
                actors[a].retries &+= 1
                return true
            }
            e = last + 1
            actors[a].truncIndex = UInt8(e)
        }
        // The pass's folios: the unmapped ones leave now; the mapped ones are unmapped (an MMU
        // notifier invalidation run by a host-mm actor, which then removes and frees them).
        var mask: UInt8 = 0, ms = -1, me = -1
        for g in s..<e where gmemPfn[g] != 0 {
            if gmemMapped(g) && host.at(g).pfn != 0 {
                mask |= 1 << UInt8(g)
                if ms < 0 { ms = g }
                me = g + 1
            } else {
                gmemTruncate(g, g + 1)
            }
        }
        if mask != 0 {
            let m = idleMMActor
            startHost(m, op: .gmemTruncate, lo: ms, count: me - ms, blockable: true, folios: mask)
            actors[a].cursor = UInt8(m)
            actors[a].pc = .g5Wait
            return true
        }
        return stage < 3 || Int(actors[a].truncIndex) < hi    // phase 2 ends once index reaches end
    }

    /// The window of the next truncation pass of actor `x` (see `truncatePass`), for `runnable`:
    /// a pass with a mapped folio needs an idle host-mm actor.
    @inline(__always) func truncWindow(_ x: Actor) -> (Int, Int) {
        let lo = Int(x.lo), hi = Int(x.hi)
        switch x.truncStage {
        case 0: return (lo, hi)
        case 1: return (lo, min(hi, lo + 1))
        case 2: return (max(lo, hi - 1), hi)
        default: return (Int(x.truncIndex), hi)
        }
    }

    /// truncate_inode_pages_range(): every folio in [lo, hi) leaves the page cache; its page is
    /// freed once no one holds a reference (a fault that looked it up holds one until F12, which
    /// the model does not track: a private SPTE must map the file's current folio).
    mutating func gmemTruncate(_ lo: Int, _ hi: Int) {
        for g in lo..<hi where gmemPfn[g] != 0 {
            markFreed(gmemPfn[g])
            gmemPfn[g] = 0
            gmemPoison &= ~(1 << UInt32(g))
            gmemPoisonHandled &= ~(1 << UInt32(g))
            mapDirty = true
        }
    }

    /// kvm_gmem_error_folio() returns (MF_DELAYED): from now on nothing may map the poisoned
    /// folio -- the guest touching it is a machine check -- so any SPTE still mapping it, in any
    /// root, is a stale commit (I5/I6 for poisoned memory), and so is a later install of it.
    mutating func gmemErrorHandled(_ a: Int) {
        let g = Int(actors[a].lo), p = actors[a].pfn
        guard p != 0, gmemPoison & (1 << UInt32(g)) != 0, gmemPfn[g] == p else { return }
        gmemPoisonHandled |= 1 << UInt32(g)
        for r in 0..<Cap.roots where roots[r].state != .free {
            if roots[r].leaf[g].present && roots[r].leaf[g].fromGmem && roots[r].leaf[g].pfn == p {
                fail(.staleCommit, .spteMapsPoisoned, actor: a, Int64(g) | Int64(r) << 8, Int64(p))
            }
        }
    }

    /// kvm_gmem_get_pfn() for a private fault, or a shared one on a gmem-only slot, through slot
    /// object `o` at `gfn`: the folio at the
    /// index, allocated (order 0, zeroed) on first touch. 0 when the file is gone (-EFAULT) or
    /// the pool is exhausted.
    mutating func gmemGetPfn(_ o: UInt8, gfn: Int) -> UInt16 {
        if gmemDying { return 0 }                         // get_file_active() -> NULL: -EFAULT
        guard objs[Int(o)].flags & MemslotFlag.gmemBound != 0 else { return 0 }   // -EIO
        if gmemPfn[gfn] == 0 {
            let p = allocPfn(count: 1)
            if p == 0 { return 0 }
            gmemPfn[gfn] = p
        }
        // __kvm_gmem_get_pfn(): folio_test_hwpoison(folio) -> -EHWPOISON.
        if gmemPoison & (1 << UInt32(gfn)) != 0 { return 0 }
        return gmemPfn[gfn]
    }

    /// kvm_gmem_get_invalidate_filter() (5d3341d684be): KVM_FILTER_SHARED if the file has
    /// GUEST_MEMFD_FLAG_INIT_SHARED, else KVM_FILTER_PRIVATE -- for punch hole, release and
    /// error folios alike. The file has INIT_SHARED only in the INIT_SHARED world (a VM without
    /// private memory: kvm_arch_supports_gmem_init_shared()). Only a VM with mirrored TDP
    /// honours the filter.
    @inline(__always) var gmemInvalidateFilter: UInt8 {
        if gmemInitShared { return AttrFilter.sharedOnly }
        if fixes.has(.gmemMmapSharedZap) && gmemMmap { return AttrFilter.both }
        return AttrFilter.privateOnly
    }

    /// INIT_SHARED: the VMM's mapping of the file -- index i at hva i for slot 0's pages.
    @inline(__always) func gmemMapped(_ h: Int) -> Bool { gmemInitShared && h < 8 && h < gfnCount }

    /// Candidate fix of finding gmem-punch-hole-refault-livelock: a GUP that must fault the file
    /// mapping in (kvm_gmem_fault_user_mapping) waits while a punch hole holds the invalidate lock.
    @inline(__always) func gmemFaultWaits(hva h: Int) -> Bool {
        gmemInitShared && fixes.has(.gmemPunchHoleRefaultLivelock) && gmemInvalidateLock != none8
            && h < hvaCount && gmemMapped(h) && host.at(h).pfn == 0
    }

    /// The hvas in [lo, hi) whose user PTE maps a guest_memfd folio, as one span (nil: none).
    @inline(__always) func gmemMappedSpan(_ lo: Int, _ hi: Int) -> (Int, Int)? {
        guard gmemInitShared else { return nil }
        var s = -1, e = -1
        let top = min(hi, 8, hvaCount)
        guard lo < top else { return nil }
        for h in lo..<top where host.at(h).pfn != 0 {
            if s < 0 { s = h }
            e = h + 1
        }
        return s < 0 ? nil : (s, e)
    }

    /// A host-mm actor that can run the user-mapping invalidation of a truncation / memory
    /// failure: mm0, else mm1, else -1 (then the guest_memfd actor waits).
    @inline(__always) var idleMMActor: Int {
        if actors.at(2).kind == .mm && actors.at(2).pc == .idle { return 2 }
        if actors.at(3).kind == .mm && actors.at(3).pc == .idle { return 3 }
        return -1
    }

    /// The memslot ioctl needs filemap_invalidate_lock here: kvm_gmem_bind() of a new
    /// KVM_MEM_GUEST_MEMFD slot at M1, kvm_gmem_unbind() of a bound old slot at M7 (unless the
    /// file is already released, when slot->gmem.file is NULL and unbind returns at once).
    @inline(__always) func memslotNeedsGmemLock(_ x: Actor) -> Bool {
        if gmemDying { return false }     // create fails (-EBADF); unbind of a dying file takes no lock
        if x.pc == .m7FreeOld && variant == .gmemUnbindWithoutInvalidateLock { return false }
        if x.pc == .m1Prepare { return x.memslotOp == .create && x.gmemCreate }
        let o = x.slotObj
        return x.pc == .m7FreeOld && o != none8 && objs.at(Int(o)).flags & MemslotFlag.gmemBound != 0
    }
}
