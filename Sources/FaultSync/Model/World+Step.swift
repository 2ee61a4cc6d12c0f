/// Scheduling: which actors can take their next atomic step, and taking it.
extension World {
    /// Locks block: an actor waiting for one is not runnable. (`mutating` only so that the
    /// actor is read in place: in a non-mutating method of this large struct, reading an
    /// element of `actors` copies the whole array first, and this runs for every actor on every
    /// step of every schedule.)
    @inline(__always) public mutating func runnable(_ a: Int) -> Bool {
        // Most actors are idle: say so before copying the record.
        if actors[a].pc == .idle { return false }
        let x = actors[a]
        // The INIT_SHARED world's conditions, out of line and only in that world: they read
        // other actors' records and host PTEs, and reaching them from the non-mutating core
        // made the compiler copy the whole world on every call (measured: half of
        // `faultsync random`'s rate, in every world).
        if gmemInitShared {
            switch x.pc {
            case .g5Truncate, .c5Lookup, .f6gLookup, .g5Wait, .g10Wait, .g10Unmap:
                if !runnableInitShared(a, x) { return false }
            default: break
            }
        }
        return runnable(a, x)
    }

    /// The steps that take mmu_lock (read or write): those `runnable` holds back while it is
    /// held (a walk at a yield point yields to them: World.yieldToWaiter). A vCPU's P0/F1 takes
    /// it only when it reloads its root (`reloadTakesMmuLock`), so it is not listed here.
    @inline(__always) static func takesMmuLock(_ pc: PC) -> Bool {
        switch pc {
        case .f7Lock, .h1Lock, .r6Lock, .y1Pick, .e1Lock, .e3Alloc,
             .n3LockBegin, .n3Relock, .n5LockEnd, .t4LockBegin, .t4Relock, .t6LockEnd, .m3cFlush, .m3cRelock,
             .x1ZapAllFast, .a1ZapGfnRange, .g1LockBegin, .g3Relock, .g6LockEnd: return true
        default: return false
        }
    }

    /// `runnable` for actor `a`, whose record is `x` (without the INIT_SHARED world's
    /// conditions: use `runnable(_:)`).
    @inline(__always) func runnable(_ a: Int, _ x: Actor) -> Bool {
        switch x.pc {
        case .idle: return false
        case .f7Lock, .h1Lock, .r6Lock, .y1Pick, .e1Lock, .e3Alloc: return mmuFreeForRead
        case .p0Reload, .f1Memslot:
            // A root reload takes mmu_lock for read (World.freeObsoleteAndLoad).
            return mmuFreeForRead || !reloadTakesMmuLock(x, rootValid: x.root != none8 && roots.at(Int(x.root)).state == .valid)
        case .n3LockBegin, .n3Relock, .n5LockEnd, .t4LockBegin, .t4Relock, .t6LockEnd, .m3cFlush, .m3cRelock: return mmuFreeForWrite
        case .m0Lock, .t1Lock, .h0Lock, .x0Lock: return slotsLockHolder == none8
        case .x1ZapAllFast, .a1ZapGfnRange: return mmuFreeForWrite
        case .n1Count:
            let (lo, hi) = hostOpRange(x)
            // A host-mm operation owns its blocks until N6; only two unmaps (MADV_DONTNEED, both
            // under mmap_lock for read) may overlap.
            let busy = x.hostOp == .unmap ? hostBusy & ~hostBusyUnmap : hostBusy
            return busy & blockMask(lo, hi) == 0 && gpcInvalidateRunnable(a, lo: lo, hi: hi)
        case .wSwap: return mnActive == 0 || variant == .swapIgnoresMnCount
        case .c0ActivateMutex, .c9RefreshMutex, .c11DeactMutex: return gpc.refreshLock == none8 || !gpcSerialized
        case .c2Activate, .c3RefreshLock, .c6Relock, .c12Deactivate: return gpc.writer == none8 && gpc.readers == 0
        case .c8Check: return gpc.writer == none8
        case .g0InvalLock: return gmemInvalidateLock == none8 && (!x.gmemRelease || slotsLockHolder == none8)
        case .g1LockBegin, .g3Relock, .g6LockEnd: return mmuFreeForWrite
        case .m1Prepare: return !memslotNeedsGmemLock(x) || gmemInvalidateLock == none8
        case .m7FreeOld: return !memslotNeedsGmemLock(x) || gmemInvalidateLock == none8
        case .wSync: return variant == .noSynchronizeSrcu || readerBefore(x.syncFrom) < 0
        default: return true
        }
    }

    @inline(never) mutating func runnableInitShared(_ a: Int, _ x: Actor) -> Bool {
        switch x.pc {
        case .g5Truncate:
            if x.gmemRelease || x.gmemErrorOp || idleMMActor >= 0 { return true }
            let (s, e) = truncWindow(x)
            return gmemMappedSpan(s, e) == nil
        case .g10Unmap: return idleMMActor >= 0
        case .c5Lookup: return !gmemFaultWaits(hva: Int(gpc.uhva))
        case .f6gLookup:
            let o = x.slotObj
            if o == none8 || x.isPrivateFault { return true }
            let s = objs.at(Int(o))
            return s.flags & MemslotFlag.gmemOnly != 0 || !gmemFaultWaits(hva: s.hva(of: Int(x.gfn)))
        case .g5Wait, .g10Wait: return actors.at(Int(x.cursor)).pc == .idle
        default: return true
        }
    }

    /// Take one atomic step of actor `a` (which must be runnable), then advance the ghost clock.
    @inline(__always) public mutating func step(_ a: Int) {
        switch actors[a].kind {
        case .vcpu: stepFault(a)
        case .mm: if actors[a].pc.rawValue >= PC.ag1Walk.rawValue { stepAging(a) } else { stepNotifier(a) }
        case .memslot: stepMemslot(a)
        case .attr: stepAttr(a)
        case .recover: stepRecover(a)
        case .nx: stepNx(a)
        case .nxrec: stepNxRecovery(a)
        case .apicv: stepApicv(a)
        case .gpc: stepGpc(a)
        case .gmem: stepGmem(a)
        case .absent: break
        }
        now &+= 1
    }

    /// Whether any actor has not finished.
    @inline(__always) public var anyBusy: Bool {
        for i in 0..<Cap.actors where actors.at(i).pc != .idle { return true }
        return false
    }

    /// Start an operation on the actor it belongs to; false if that actor is busy or absent.
    public mutating func start(_ e: Event) -> Bool {
        switch e.kind {
        case .step: return false
        case .fault:
            let a = Int(e.x & 1)
            guard actors[a].kind == .vcpu, !actors[a].busy else { return false }
            if e.y == apicGfnMarker {
                guard apicGfn >= 0 else { return false }
                startFault(a, gfn: apicGfn, isPrivate: false, prefault: e.f2)
                return true
            }
            startFault(a, gfn: Int(e.y) % gfnCount, isPrivate: e.f1, prefault: e.f2, exec: e.z != 0)
            return true
        case .remap, .unmap, .collapse, .split:
            let a = !actors[2].busy ? 2 : (actors[3].kind == .mm && !actors[3].busy ? 3 : -1)
            guard a >= 0 else { return false }
            let op: HostOp = e.kind == .remap ? .remap : e.kind == .unmap ? .unmap : e.kind == .collapse ? .collapse : .split
            let lo = (op == .collapse || op == .split) ? (Int(e.x) * Cap.hugePages) % hvaCount : Int(e.x) % hvaCount
            startHost(a, op: op, lo: lo, count: Int(e.y), blockable: !e.f1)
            return true
        case .create, .delete, .move, .flags:
            guard !actors[4].busy else { return false }
            let op: MemslotOp = e.kind == .create ? .create : e.kind == .delete ? .delete : e.kind == .move ? .move : .flags
            startMemslot(4, op: op, id: Int(e.x) % Cap.slotIDs, base: Int(e.y) % gfnCount,
                         npages: Int(e.z), uaddr: Int(e.w) % hvaCount, dirty: e.f1, gmem: op == .create && e.f2)
            return true
        case .attr:
            guard !actors[5].busy else { return false }
            startAttr(5, lo: Int(e.x) % gfnCount, count: Int(e.y), toPrivate: e.f1)
            return true
        case .recover:
            guard !actors[6].busy else { return false }
            startRecover(6, id: Int(e.x) % Cap.slotIDs)
            return true
        case .nxToggle:
            guard !actors[7].busy else { return false }
            startNx(7)
            return true
        case .nxRecover:
            // kvm_nx_huge_page_recovery_worker(): no pass while the mitigation is off.
            guard !actors[12].busy, nxHugePages else { return false }
            startNxRecovery(12)
            return true
        case .apicv:
            guard actors[8].kind == .apicv, !actors[8].busy, apicGfn >= 0 else { return false }
            startApicv(8, inhibit: e.f1)
            return true
        case .gpcUse, .gpcActivate, .gpcDeactivate:
            let a = !actors[9].busy ? 9 : (!actors[10].busy ? 10 : -1)
            guard a >= 0, actors[a].kind == .gpc else { return false }
            let op: GpcOp = e.kind == .gpcUse ? .use : e.kind == .gpcActivate ? .activate : .deactivate
            startGpc(a, op: op, target: e.f1 ? Int(e.x) % hvaCount : Int(e.x) % gfnCount, byHva: e.f1)
            return true
        case .punchHole, .gmemRelease, .gmemError:
            guard actors[11].kind == .gmem, !actors[11].busy else { return false }
            startGmem(11, release: e.kind == .gmemRelease, error: e.kind == .gmemError, lo: Int(e.x) % gfnCount,
                      count: e.kind == .gmemError ? 1 : Int(e.y))
            return true
        case .age:
            // Page aging (v7): an idle host-mm actor, as for the other host operations.
            let a = !actors[2].busy ? 2 : (actors[3].kind == .mm && !actors[3].busy ? 3 : -1)
            guard a >= 0 else { return false }
            startAge(a, lo: Int(e.x) % hvaCount, count: Int(e.y))
            return true
        case .signal:
            // A signal to the vCPU thread: seen by signal_pending() in its ioctl's loop. With no
            // ioctl in flight it is delivered at once and changes nothing in KVM.
            let a = Int(e.x & 1)
            guard actors[a].kind == .vcpu, actors[a].busy else { return false }
            actors[a].signalPending = true
            return true
        }
    }
}
