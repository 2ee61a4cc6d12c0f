/// What each atomic step and each operation start reads and writes, by resource: the
/// independence relation of the checker's sleep-set reduction (`Explorer`, docs/check.md).
///
/// Two transitions enabled in the same state are **independent** when neither writes a resource
/// the other reads or writes. The footprint of a step covers everything the step's code reads or
/// writes on every branch, under every variant and fix, *including* what decides whether it is
/// enabled (`World.runnable`) and what its own in-step oracles read (`fail` calls); then, from a
/// state where both are enabled, each leaves the other enabled and doing the same thing, and the
/// two orders end in the same state. Resources are coarse (all SPTEs of all roots are one) and
/// every union is taken over branches, so the relation errs towards "dependent", which only
/// costs reduction, never soundness.
///
/// Some resources are fields that every actor has its own copy of (its SRCU read-section start,
/// its memslot object references) and that only other actors *read*: an actor writes only its
/// own copy, so two such writes by different actors commute. Those writes are `wd` ("disjoint"),
/// in conflict with reads only.
///
/// Ghost time: every step advances `now`, which the canonical form leaves out; what it keeps are
/// the ranks of the stored timestamps (SRCU read-section starts, `syncFrom`, `unpublishedAt`).
/// - Storing one (`srcu_read_lock`, the swap's `unpublishedAt`/`syncFrom`) writes `srcuIns`:
///   the stored value is `now`, above every stored one, so two stores are ordered by their
///   order (a write-write conflict), but a store changes no comparison of stored values.
/// - Clearing one (`srcu_read_unlock`, a memslot operation ending) is a disjoint write of
///   `srcuDel`; `synchronize_srcu` and the I8 oracles compare readers with older timestamps:
///   they read `srcuDel`. A clear and a store commute (the final set of stamps, and so every
///   rank, is the same).
/// `lookupAt` and `HostPTE.changedAt` are read only by messages: not a resource.
///
/// The table is checked against the model, not trusted: `faultsync check --verify-independence`
/// takes both orders of every pair of transitions it calls independent, in every state where a
/// sleep set is computed, and requires the same canonical state and verdict with neither
/// disabling the other. `scripts/check-proofs` (CI) runs that over every menu scenario of 1..3
/// operations and each variant's litmus operations; `ReductionTests` over a smaller set, plus a
/// negative control. After changing a step, run it.
public struct Footprint: Equatable {
    public var r: UInt32 = 0
    public var w: UInt32 = 0
    /// Disjoint writes: to the writer's own copy of a per-actor field that others read.
    public var wd: UInt32 = 0

    /// Neither writes what the other reads, and their plain writes do not overlap.
    @inline(__always) public func independent(of o: Footprint) -> Bool {
        (w & (o.r | o.w | o.wd)) | (o.w & (r | wd)) | (wd & o.r) | (o.wd & r) == 0
    }

    public static let inv: UInt32 = 1 << 0        // mmu_invalidate_in_progress, _range_start/_end
    public static let seq: UInt32 = 1 << 17       // mmu_invalidate_seq
    public static let mn: UInt32 = 1 << 1         // mn_active_invalidate_count; mnEndCount (fix)
    public static let mmu: UInt32 = 1 << 2        // mmu_lock (writer, readers)
    public static let slotsLock: UInt32 = 1 << 3  // slots_lock
    public static let objs: UInt32 = 1 << 4       // memslot objects (their state, flags, ranges, stamps); incarnations
    public static let setsA: UInt32 = 1 << 5      // the active memslot set (kvm->memslots), and which one it is
    public static let setsI: UInt32 = 1 << 18     // the inactive memslot set
    public static let gen: UInt32 = 1 << 19       // slots->generation
    public static let attr: UInt32 = 1 << 6       // the attribute xarray
    public static let gmem: UInt32 = 1 << 7       // guest_memfd folios, dying, released
    public static let gmemLock: UInt32 = 1 << 8   // filemap_invalidate_lock
    public static let gpc: UInt32 = 1 << 9        // the gfn_to_pfn_cache (its locks included)
    public static let host: UInt32 = 1 << 10      // host PTEs, THP bits, freed pages, the pfn allocator
    public static let hostBusy: UInt32 = 1 << 11  // hva blocks owned by an in-flight host operation
    /// TDP MMU roots and every SPTE; also each zap walker's `zapRootsLeft` (its place on
    /// kvm->arch.tdp_mmu_roots): nonzero only between a walk's first zap step and its last; it
    /// is read and written only by the zap steps, which write `roots` (the yield and relock
    /// steps in between neither read nor write it), and cleared by a root's last put
    /// (`putRoot`), which writes `roots`. `beginZap` writes it only where it is already 0 (no
    /// walk in progress).
    public static let roots: UInt32 = 1 << 12
    public static let apicv: UInt32 = 1 << 13     // apicv_inhibit_reasons, the pending-zap ghost
    public static let srcuIns: UInt32 = 1 << 14   // storing a timestamp (see above)
    public static let srcuDel: UInt32 = 1 << 15   // clearing one (disjoint) / comparing readers with older ones (read)
    public static let objRef: UInt32 = 1 << 16    // each actor's slotObj/newObj/invalidObj (disjoint; read by allocObj)
    /// Bits 20..31: the actors' own records (pc, arguments, locals). The NX recovery thread
    /// (actor 12) shares the toggle's bit (actor 7): there are 12 bits, and a shared bit only
    /// makes the two actors' steps dependent on each other (less reduction, never unsound).
    @inline(__always) public static func actor(_ a: Int) -> UInt32 { 1 << UInt32(20 + (a == 12 ? 7 : a)) }
    public static let all: UInt32 = 0xFFFF_FFFF
}

extension World {
    /// The footprint of actor `a`'s next step (which must be runnable): its own record, plus the
    /// resources of its PC's code on every branch.
    /// (`mutating` only to read the arrays in place; see `runnable`.)
    public mutating func stepFootprint(_ a: Int) -> Footprint {
        typealias F = Footprint
        var r: UInt32 = 0, w: UInt32 = 0, wd: UInt32 = 0
        let x = actors[a]
        /// finishFault / retryFault (srcu_read_unlock, fault->slot = NULL) when this step will
        /// take that branch (`faultLeaves`).
        func leave() -> UInt32 { faultLeaves(x) ? F.srcuDel | F.objRef : 0 }
        /// kvm_mmu_reload / the KVM_RUN root load change roots only when the loaded root is not valid.
        func reload() -> UInt32 { rootValid(x.root) ? 0 : F.roots }
        /// ... and then take mmu_lock for read (its state decides whether the step can run; a
        /// walk at a yield point yields to it), when that branch is taken.
        let reloading = (x.pc == .p0Reload || x.pc == .f1Memslot) && reloadTakesMmuLock(x, rootValid: rootValid(x.root))
        func reloadLocks() -> UInt32 { reloading ? F.mmu : 0 }
        /// The memslot set a notifier walk dereferenced (it may have become the inactive one).
        var walked: UInt32 { x.container == active ? F.setsA : F.setsI }
        /// srcu_read_unlock can change a comparison of readers with an older stamp only while
        /// some reader is older than it (ending one cannot make an empty answer non-empty; a
        /// new reader's stamp is newer than every stored one).
        func readersBefore(_ t: UInt32) -> UInt32 { anyReaderBefore(t) ? F.srcuDel : 0 }
        // The TLB ghost (`tlbStale`, I7) is with the roots: zaps record in it, flushes clear it
        // (a write when this actor's handler zapped), and a step that frees host pages reads it.
        let flushes: UInt32 = x.tlbFlush != 0 ? F.roots : 0
        switch x.pc {
        case .idle: break
        // vCPU fault (VCPUFault.swift)
        case .f0SrcuLock: w = F.srcuIns; wd = leave()                        // srcu lock, or finishFault
        case .p0Reload: r = F.roots; w = reload() | reloadLocks(); wd = leave()            // kvm_mmu_reload, finishFault
        case .f1Memslot:                                                   // reload/load; lookup
            r = F.setsA | F.objs | (variant == .hostWalkDoubleRead ? F.host : 0) | F.roots | F.gen
                | (adBits ? 0 : F.attr)                                    // page_fault_can_be_fast: kvm_mem_is_private
            w = reload() | reloadLocks(); wd = F.objRef | leave()
        case .f6aSnapshot, .f6aLateSnapshot: r = F.seq
        case .f6bChecks: r = F.objs | F.attr | F.apicv; wd = leave()
        case .f6fPrecheck, .f6iPrecheck: r = F.inv | F.seq; wd = leave()
        case .f6gLookup: r = F.objs | (gmemInitShared ? F.gmemLock : 0); w = F.gmem | F.host; wd = leave()      // gmem_get_pfn / GUP allocate
        case .f7Lock: w = F.mmu
        case .f8Stale: r = F.objs | F.roots | F.inv | F.seq; w = leave() != 0 ? F.mmu : 0; wd = leave()
        case .f10Adjust: r = F.objs | F.host
        case .f11Install: r = F.objs | F.gmem | F.host | F.gen; w = F.roots
        case .f12Finish: w = F.mmu; wd = leave()
        // fast_page_fault (no mmu_lock): reads the SPTE; F2b restores it by cmpxchg (the variant: a store)
        case .f2FastWalk: r = F.roots; wd = leave()
        case .f2FastFix: r = F.roots; w = F.roots; wd = leave()
        // NX huge pages (NXRecovery.swift): the parameter, the tables' flags, the list, its two
        // counts (nxPagesTDP, nxPagesShadow) and the watches are TDP MMU state (F.roots);
        // nr_memslots_dirty_logging is with the objects.
        case .f11Track: w = F.roots
        case .f11Leaf: r = F.objs | F.gmem | F.host | F.gen; w = F.roots | (leave() != 0 ? F.mmu : 0); wd = leave()
        case .y0Srcu: w = F.srcuIns
        case .y1Pick: w = F.mmu | F.roots
        case .y2Zap: r = F.objs | F.setsA; w = F.roots
        case .y3Unlock: w = F.mmu | flushes; wd = F.srcuDel
        // MMU notifier + host mm (MMUNotifier.swift)
        case .n1Count: r = F.gpc | F.host; w = F.hostBusy | F.mn | F.gpc   // THP widening; busy; count; gpc invalidate
        case .n3Walk, .n5Walk: r = F.setsA | F.objs; w = F.srcuIns
        case .n3LockBegin: r = walked | F.objs; w = F.mmu | F.inv
        case .n3RangeAdd: r = walked | F.objs | F.mmu; w = F.inv
        case .n3Zap: r = F.inv | F.slotsLock | walked | F.objs; w = F.roots | F.mmu
        case .n3Yield: w = F.mmu
        case .n3Relock: w = F.mmu
        case .n3Unlock: w = (x.found ? F.mmu : 0) | flushes; wd = F.srcuDel
        case .n5Unlock: w = x.found ? F.mmu : 0; wd = F.srcuDel
        case .hostChange: r = F.roots; w = F.host | (gmemInitShared ? F.gmem : 0)   // INIT_SHARED: truncation frees folios
        case .n5LockEnd: w = F.mmu | F.inv | F.seq
        case .n5LateEnd: r = F.mmu; w = F.inv | F.seq
        // N6 also reads the other host-mm actor's record (in flight? its range and op), which
        // is not declared: whether an mm actor is in flight changes only at its N1 and N6
        // (a start, by an event or by G5/G10, leaves it at N1, not yet in flight), both of which
        // write hostBusy, as N6 does; its range and op change only at a start.
        case .n6Uncount: w = F.mn | F.hostBusy
        // Page aging (Aging.swift): kvm->srcu and the memslot walk (its slot object), no locks;
        // AG2 reads the roots (the valid one, the leaves; it writes none), AG2b marks a leaf by
        // cmpxchg (the variant: a store).
        case .ag1Walk: r = F.setsA | F.objs; w = F.srcuIns; wd = F.objRef | F.srcuDel
        case .ag2Age: r = walked | F.objs | F.roots; wd = F.objRef
        case .ag2Mark: r = F.roots; w = F.roots
        case .ag3Done: wd = F.srcuDel | F.objRef
        // memslot update (MemslotUpdate.swift)
        case .m0Lock, .t1Lock, .x0Lock, .x2Unlock, .t7Unlock: w = F.slotsLock
        case .m1Prepare:
            // It writes only objects it allocates (allocObj: not live, not bound, referenced by no
            // actor), which no other actor can reach -- unless a memslot set still holds a dead
            // object (a variant's use-after-free) or the new slot is bound to guest_memfd
            // (kvm_gmem_bind: the bindings scans see it).
            r = F.setsA | F.objs | F.gmem | F.attr | F.gmemLock | F.objRef
            w = x.gmemCreate || !setsHoldOnlyLiveObjects ? F.objs : 0
            wd = F.objRef | F.srcuDel
        case .m3aInvalidate, .m5Replace, .m5ReplaceAfter:
            r = readersBefore(containers[Int(active ^ 1)].unpublishedAt); w = F.setsI
        case .wSwap: r = F.mn; w = F.setsA | F.setsI | F.gen | F.srcuIns   // objects' unpublishedAt: stamps read by this actor only
        case .wSync: w = F.gen; wd = F.srcuDel     // runnable: no reader before syncFrom, which neither an unlock nor a new reader changes
        case .m3cFlush: r = F.objs | F.inv | F.slotsLock; w = F.mmu | F.roots
        case .m3cZap: r = F.inv | F.slotsLock; w = F.roots | F.mmu   // kvm_mmu_zap_memslot's walk
        case .m3cYield: w = F.mmu
        case .m3cRelock: w = F.mmu
        case .m3cUnlock: w = F.mmu | flushes
        case .r6Lock: w = F.mmu
        case .r6Zap: w = F.mmu | F.roots
        case .m6FreeInvalid:
            r = freedStampRead(x.invalidObj) | F.roots | F.setsA | F.setsI; w = F.objs; wd = F.objRef
        case .m7FreeOld:
            r = freedStampRead(x.slotObj) | F.roots | F.gmem | F.gmemLock | F.setsA | F.setsI; w = F.objs; wd = F.objRef
        case .m8Unlock: w = F.slotsLock | F.objs; wd = F.objRef | F.srcuDel
        case .e1Lock: r = F.objs; w = F.mmu | F.roots            // read_lock; get the valid root
        case .e2Split: r = F.objs; w = F.mmu | F.roots           // split / put the root; read_unlock
        case .e3Alloc: w = F.mmu | (variant == .eagerSplitStaleSpte ? F.roots : 0)
        // KVM_SET_MEMORY_ATTRIBUTES (MemoryAttributes.swift)
        case .t2Check: r = F.attr | F.setsA | F.objs
        case .t4LockBegin: w = F.mmu | F.inv
        case .t4PreSet: r = F.setsA | F.objs | F.slotsLock | F.mmu; w = F.inv
        case .t4Zap: r = F.setsA | F.objs | F.slotsLock | F.inv; w = F.roots | F.mmu
        case .t4Yield: w = F.mmu
        case .t4Relock: w = F.mmu
        case .t4Unlock: w = F.mmu | flushes
        case .t6Unlock: w = F.mmu
        case .t5Store: w = F.attr
        case .t6LockEnd: r = F.attr | F.setsA; w = F.mmu | F.inv | F.seq | F.objs
        // huge-page recovery (HugePageRecovery.swift)
        case .h0Lock: r = F.setsA | F.objs; w = F.slotsLock; wd = F.objRef
        case .h1Lock: w = F.mmu
        case .h2Block: r = F.objs | F.attr | F.host; w = F.roots
        case .h6Unlock: w = F.mmu | F.slotsLock; wd = F.objRef
        // nx_huge_pages (NXHugePages.swift)
        case .x1ZapAllFast: w = F.mmu | F.roots
        // APICv (APICv.swift)
        case .a0Update: w = F.apicv | F.srcuIns
        case .a1ZapGfnRange: w = F.mmu | F.inv | F.seq | F.roots | F.apicv
        case .a2Unlock: wd = F.srcuDel
        // gfn_to_pfn_cache (PfnCache.swift)
        case .c0ActivateMutex, .c1ListAdd, .c2Activate, .c7Unlock, .c9RefreshMutex, .c11DeactMutex,
             .c12Deactivate, .c13ListDel: w = F.gpc
        case .c3RefreshLock: r = F.setsA | F.gen | F.objs; w = F.gpc
        case .c8Check: r = F.gen; w = F.gpc
        case .c4Snapshot, .c6Relock: r = F.inv | F.seq | F.mn; w = F.gpc
        case .c5Lookup: r = F.gpc | (gmemInitShared ? F.gmemLock | F.host : 0); w = F.host | (gmemInitShared ? F.gmem : 0)   // GUP may fault a folio in
        case .c10Access: r = F.host; w = F.gpc
        // guest_memfd (GuestMemfd.swift)
        case .g8LastPut: w = F.gmem
        // G0 takes a binding into `cursor`, G3 moves to the next one, G4 leaves them: allocObj
        // (M1) does not reuse the binding an invalidation iterates over, so these write objRef.
        case .g0InvalLock: r = F.objs; w = F.slotsLock | F.gmemLock | F.gmem; wd = F.objRef
        case .g1LockBegin: w = F.mmu | F.inv
        case .g6LockEnd: w = F.mmu | F.inv | F.seq
        case .g2RangeAdd: r = F.objs | F.mmu; w = F.inv
        case .g3Zap: r = F.inv | F.slotsLock | F.objs; w = F.roots | F.mmu; wd = F.objRef
        case .g3Yield: w = F.mmu
        case .g3Relock: w = F.mmu
        case .g4Unlock: w = F.mmu | flushes; wd = F.objRef
        case .g5Truncate:
            // INIT_SHARED: may hand the user mappings' invalidation to an idle host-mm actor.
            r = F.objs | F.roots; w = F.gmem | F.host | (gmemInitShared ? F.actor(2) | F.actor(3) : 0)
        case .g5Wait, .g10Wait: r = F.actor(2) | F.actor(3)
        case .g10Unmap: r = F.host; w = F.actor(2) | F.actor(3)
        case .g7Unlock: r = F.roots; w = F.gmemLock | F.slotsLock | F.gmem   // error folio: poison handled, SPTE check
        case .g9Evict: r = F.roots; w = F.gmem | F.host
        case .g10Poison: r = F.host; w = F.gmem
        }
        // Taking mmu_lock from a zap walk at a yield point makes it yield (World.yieldToWaiter):
        // its record changes and its pending zaps are flushed.
        if (World.takesMmuLock(x.pc) || reloading) && mmuWriter != none8 && mmuWriter != UInt8(a)
            && World.isZapYield(actors[Int(mmuWriter)].pc) {
            w |= F.actor(Int(mmuWriter)) | F.roots | F.mmu
        }
        return Footprint(r: r, w: w | F.actor(a), wd: wd)
    }

    /// Whether `r` is a loaded, valid root (read without copying the root array).
    @inline(__always) mutating func rootValid(_ r: UInt8) -> Bool {
        r != none8 && roots[Int(r)].state == .valid
    }

    /// readerBefore(t) >= 0, reading the actors in place.
    @inline(__always) mutating func anyReaderBefore(_ t: UInt32) -> Bool {
        for i in 0..<Cap.actors {
            let s = actors[i].srcuStart
            if s != 0 && s < t { return true }
        }
        return false
    }

    /// Whether every object the two memslot sets hold is live.
    var setsHoldOnlyLiveObjects: Bool {
        mutating get {
            for c in 0..<2 {
                for id in 0..<Cap.slotIDs {
                    let o = containers[c].slot[id]
                    if o != none8 && objs[Int(o)].state != .live { return false }
                }
            }
            return true
        }
    }

    /// freeObj(o) compares readers with o's unpublishedAt (`readersBefore` in stepFootprint).
    mutating func freedStampRead(_ o: UInt8) -> UInt32 {
        o == none8 || !anyReaderBefore(objs[Int(o)].unpublishedAt) ? 0 : Footprint.srcuDel
    }

    /// Whether vCPU `a`'s next step ends the fault or retries it (finishFault / retryFault:
    /// srcu_read_unlock, fault->slot = NULL): the branch conditions of `stepFault`, or true
    /// where they are not worth repeating here.
    mutating func faultLeaves(_ x: Actor) -> Bool {
        guard x.kind == .vcpu else { return false }
        let gfn = Int(x.gfn)
        switch x.pc {
        case .f0SrcuLock: return !x.isPrefault && x.signalPending
        case .p0Reload: return x.signalPending || !rootValid(x.root)
        case .f1Memslot:
            // KVM_RUN: an access emulated through an MMIO SPTE of the root it runs on (the valid
            // one after the reload) ends the fault here too.
            if x.signalPending || !rootValid(x.root) { return true }
            if x.isPrefault || gfn >= Cap.gfns { return false }
            for r in 0..<Cap.roots where roots[r].state == .valid && roots[r].leaf[gfn].mmioGen != 0 { return true }
            return false
        case .f6bChecks:
            let o = x.slotObj
            if x.isPrivateFault != isPrivate(gfn) || o == none8 { return true }
            return objs[Int(o)].flags & MemslotFlag.invalid != 0 || o == apicObj
        case .f6fPrecheck:
            return variant != .seqSnapshotAfterLookup && !(variant == .gmemFaultNoRetryCheck && x.isPrivateFault)
                && retryGfnUnsafe(x.mmuSeq, gfn)
        case .f6iPrecheck:
            return !(variant == .gmemFaultNoRetryCheck && x.isPrivateFault) && retryGfnUnsafe(x.mmuSeq, gfn)
        case .f6gLookup:
            // An allocation that can fail, a private lookup that can, or the variant's early unlock.
            return variant == .srcuUnlockBeforeInstall || Int(nextPfn) + Cap.hugePages >= Cap.hostPfns || x.isPrivateFault
                || (x.slotObj != none8 && objs.at(Int(x.slotObj)).flags & MemslotFlag.gmemOnly != 0)
                || gmemInitShared                 // GUP of the file mapping fails on a poisoned folio
        case .f8Stale:
            let skipRetry = variant == .gmemFaultNoRetryCheck && x.isPrivateFault
            return (variant != .noObsoleteRootCheck && rootIsObsolete(x.root))
                || (x.slotObj != none8 && x.phase == 0 && !skipRetry && retryGfn(x.mmuSeq, gfn))
        case .f12Finish, .f11Leaf: return true   // F11 leaf: when its table is gone (not worth repeating)
        case .f2FastWalk, .f2FastFix: return true   // RET_PF_SPURIOUS / RET_PF_FIXED (not worth repeating)
        default: return false
        }
    }

    /// The footprint of starting operation `e` (which must be enabled): `World.start` reads and
    /// writes only the records of the actors it may choose (a host-mm operation takes mm0, else
    /// mm1; a pfn cache operation gpc0, else gpc1); a memslot start also resets its object
    /// references.
    public func startFootprint(_ e: Event) -> Footprint {
        typealias F = Footprint
        switch e.kind {
        case .step: return Footprint(r: F.all, w: F.all)
        case .fault, .signal: return Footprint(w: F.actor(Int(e.x & 1)))
        case .remap, .unmap, .collapse, .split, .age: return Footprint(w: F.actor(2) | F.actor(3))
        case .create, .delete, .move, .flags: return Footprint(w: F.actor(4), wd: F.objRef)
        case .attr: return Footprint(w: F.actor(5))
        case .recover: return Footprint(w: F.actor(6))
        case .nxToggle: return Footprint(w: F.actor(7) | F.roots)   // the parameter flips at the start
        case .nxRecover: return Footprint(r: F.roots, w: F.actor(12))
        case .apicv: return Footprint(w: F.actor(8))
        case .gpcUse, .gpcActivate, .gpcDeactivate: return Footprint(w: F.actor(9) | F.actor(10))
        case .punchHole, .gmemRelease, .gmemError: return Footprint(w: F.actor(11))
        }
    }
}
