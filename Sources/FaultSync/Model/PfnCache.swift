/// Actor C: a user of the VM's gfn_to_pfn_cache (virt/kvm/pfncache.c), C0-C13, e.g. Xen's
/// shared_info cache, which every vCPU reads: two such actors share the one cache.
///
/// - use:        read_lock(&gpc->lock); while (!kvm_gpc_check(gpc)) { read_unlock; if
///               (kvm_gpc_refresh(gpc)) fail; read_lock; } access gpc->khva; read_unlock.
/// - activate:   kvm_gpc_activate(gpa) / kvm_gpc_activate_hva(uhva): under refresh_lock, list_add
///               then active = true (if inactive), then __kvm_gpc_refresh with the new gpa/uhva.
/// - deactivate: kvm_gpc_deactivate(): under refresh_lock, active = valid = false under the write
///               lock, then list_del, then gpc_unmap.
///
/// The refresh (__kvm_gpc_refresh + hva_to_pfn_retry): C3 write_lock, gpa -> memslot -> uhva when
/// the gpa or memslot generation changed, valid = false; C4 snapshot mmu_invalidate_seq under the
/// lock, write_unlock; C5 hva_to_pfn() (GUP); C6 write_lock, WARN_ON_ONCE(gpc->valid),
/// mmu_notifier_retry_cache() (mn_active_invalidate_count != 0 || seq changed) -> back to C4,
/// else publish valid/pfn; C7 write_unlock, gpc_unmap(old), mutex_unlock. The cache holds no page
/// reference once valid: only the MMU notifier's gfn_to_pfn_cache_invalidate_start (N2), which
/// clears `valid` under the write lock before the primary MMU changes the PTE, protects it.
/// gpc_map/gpc_unmap (kmap/kunmap of ordinary RAM on x86-64) change nothing the model observes.
///
/// Arguments: a0 = GpcOp, a1 = gfn or hva of an activate, flagA = by hva. Locals: pfn/hva/
/// hostVersion = the GUP result, mmuSeq, phase = 1 when a use runs the refresh (return to C8).
extension World {
    mutating func startGpc(_ a: Int, op: GpcOp, target: Int, byHva: Bool) {
        actors[a].gpcOp = op
        actors[a].gpcTarget = UInt8(target)
        actors[a].gpcByHva = byHva
        actors[a].retries = 0
        actors[a].phase = 0
        switch op {
        case .use: actors[a].pc = .c8Check
        case .activate: actors[a].pc = .c0ActivateMutex
        case .deactivate: actors[a].pc = .c11DeactMutex
        }
    }

    /// Whether the refresh_lock mutex is taken (variant gpc-refresh-without-mutex: never).
    @inline(__always) var gpcSerialized: Bool { variant != .gpcRefreshWithoutMutex }

    mutating func stepGpc(_ a: Int) {
        switch actors[a].pc {
        case .c0ActivateMutex:
            if gpcSerialized { gpc.refreshLock = UInt8(a) }
            if gpc.active {
                actors[a].pc = .c3RefreshLock
            } else {
                // KVM_BUG_ON(gpc->valid, kvm): an inactive cache is never valid.
                if gpc.valid { fail(.kernelBug, .bugGpcValidInactive, actor: a) }
                actors[a].pc = .c1ListAdd
            }

        case .c1ListAdd:
            // spin_lock(&kvm->gpc_lock); list_add(); spin_unlock: from now on the notifier sees it.
            gpc.onList = true
            actors[a].pc = .c2Activate

        case .c2Activate:
            // "Activate the cache after adding it to the list, a concurrent refresh must not
            // establish a mapping until the cache is reachable by mmu_notifier events."
            gpc.active = true
            actors[a].pc = .c3RefreshLock

        case .c3RefreshLock:
            // __kvm_gpc_refresh(): write_lock_irq(&gpc->lock).
            gpc.writer = UInt8(a)
            if !gpc.active { gpcRefreshDone(a, ok: false, changed: false); return }
            let oldUhva = gpc.uhva
            var hvaChange = false
            if actors[a].gpcOp == .activate && actors[a].gpcByHva {
                // kvm_gpc_activate_hva(): an hva-based cache; no memslot, no generation.
                gpc.gfn = none8
                gpc.uhva = actors[a].gpcTarget
                hvaChange = gpc.uhva != oldUhva
            } else {
                // The gpa: the activate's argument, else the cache's own (kvm_gpc_refresh).
                let gfn = actors[a].gpcOp == .activate ? actors[a].gpcTarget : gpc.gfn
                if gfn == none8 {
                    // kvm_gpc_refresh() of an hva-based cache: the uhva is kept.
                } else if gpc.gfn != gfn || gpc.generation != generation || gpc.uhva == none8 {
                    // kvm_memslots(); __gfn_to_memslot(); gfn_to_hva_memslot().
                    gpc.gfn = gfn
                    gpc.generation = generation
                    let o = lookup(container: Int(active), gfn: Int(gfn))
                    if o == none8 || objs[Int(o)].flags & MemslotFlag.invalid != 0 {
                        gpc.uhva = none8                   // KVM_HVA_ERR_BAD -> -EFAULT
                        gpcRefreshDone(a, ok: false, changed: true)
                        return
                    }
                    gpc.uhva = UInt8(objs[Int(o)].hva(of: Int(gfn)))
                    hvaChange = gpc.uhva != oldUhva
                }
            }
            if gpc.valid && !hvaChange {
                gpcRefreshDone(a, ok: true, changed: false)   // still valid: nothing to look up
                return
            }
            // hva_to_pfn_retry(): "Invalidate the cache prior to dropping gpc->lock".
            gpc.valid = false
            actors[a].pc = .c4Snapshot

        case .c4Snapshot:
            // mmu_seq = kvm->mmu_invalidate_seq; smp_rmb(); write_unlock_irq(&gpc->lock).
            actors[a].mmuSeq = seq
            // Candidate fix: snapshot the count of finished invalidations too.
            actors[a].gpcEndSnap = mnEndCount
            if gpc.writer == UInt8(a) { gpc.writer = none8 }
            actors[a].pc = .c5Lookup

        case .c5Lookup:
            // hva_to_pfn() (GUP, FOLL_WRITE): faults the page in if needed; gpc_map().
            let h = Int(gpc.uhva)
            if h >= hvaCount || !hvaToPfn(a, hva: h) { gpcLookupFailed(a); return }   // error pfn: out_error
            actors[a].pc = .c6Relock

        case .c6Relock:
            gpc.writer = UInt8(a)
            if actors[a].pfn == 0 { gpcRefreshDone(a, ok: false, changed: true); return }   // out_error
            // "Other tasks must wait for _this_ refresh to complete before attempting to refresh."
            if gpc.valid { fail(.kernelWarn, .warnGpcValidDuringRefresh, actor: a) }
            if gpcRetryCache(a) {
                actors[a].retries &+= 1
                actors[a].pc = .c4Snapshot         // loop top, still holding the write lock
                return
            }
            gpc.valid = true
            gpc.pfn = actors[a].pfn
            mapDirty = true
            gpcRefreshDone(a, ok: true, changed: true)

        case .c7Unlock:
            // out_unlock: write_unlock_irq(&gpc->lock); gpc_unmap(old); guard(mutex) ends.
            if gpc.writer == UInt8(a) { gpc.writer = none8 }
            if gpc.refreshLock == UInt8(a) { gpc.refreshLock = none8 }
            if actors[a].gpcOp == .use && actors[a].phase == 1 && actors[a].found {
                actors[a].pc = .c8Check           // refreshed: read_lock and check again
            } else {
                gpcIdle(a)
            }

        case .c8Check:
            // read_lock_irq(&gpc->lock); kvm_gpc_check(gpc, len); if it fails, read_unlock.
            if gpcCheck() {
                gpc.readers += 1
                actors[a].pc = .c10Access
            } else {
                actors[a].pc = .c9RefreshMutex    // read_unlock_irq(&gpc->lock) at once
            }

        case .c9RefreshMutex:
            // kvm_gpc_refresh(): guard(mutex)(&gpc->refresh_lock).
            if gpcSerialized { gpc.refreshLock = UInt8(a) }
            actors[a].phase = 1
            actors[a].pc = .c3RefreshLock

        case .c10Access:
            // The use: read/write through gpc->khva, then read_unlock.
            let h = Int(gpc.uhva), p = gpc.pfn
            if isFreed(p) || h >= hvaCount || host[h].pfn != p {
                fail(.staleCommit, .gpcUseStale, actor: a, Int64(p), Int64(h < hvaCount ? host[h].pfn : 0) << 8 | Int64(h))
            }
            if gpc.readers > 0 { gpc.readers -= 1 }
            gpcIdle(a)

        case .c11DeactMutex:
            if gpcSerialized { gpc.refreshLock = UInt8(a) }
            actors[a].pc = gpc.active ? .c12Deactivate : .c7Unlock

        case .c12Deactivate:
            // write_lock; active = valid = false; khva = NULL; pfn = KVM_PFN_ERR_FAULT; write_unlock.
            gpc.active = false
            gpc.valid = false
            gpc.pfn = 0
            mapDirty = true
            actors[a].pc = .c13ListDel

        case .c13ListDel:
            // spin_lock(&kvm->gpc_lock); list_del(); spin_unlock; gpc_unmap(old); mutex_unlock.
            gpc.onList = false
            if gpc.refreshLock == UInt8(a) { gpc.refreshLock = none8 }
            gpcIdle(a)

        default:
            break
        }
    }

    /// The operation returns; its locals are dead (reset, so that idle actors that differ only in
    /// them are one state for the checker).
    private mutating func gpcIdle(_ a: Int) {
        actors[a].pc = .idle
        actors[a].phase = 0
        actors[a].found = false
        actors[a].pfn = 0
        actors[a].hva = 0
        actors[a].mmuSeq = 0
        actors[a].hostVersion = 0
        actors[a].a2 = 0
        actors[a].retries = 0
    }

    /// kvm_gpc_check(): active, same memslot generation (gpa-based), a uhva, valid.
    @inline(__always) func gpcCheck() -> Bool {
        gpc.active && (gpc.gfn == none8 || gpc.generation == generation) && gpc.uhva != none8 && gpc.valid
    }

    /// mmu_notifier_retry_cache(): an invalidation is in flight (mn_active_invalidate_count, which
    /// the notifier raises before it invalidates caches) or mmu_invalidate_seq moved.
    @inline(__always) func gpcRetryCache(_ a: Int) -> Bool {
        if variant == .gpcRetryIgnoresMnCount {
            // The retry condition before 58cd407ca4c6: mmu_notifier_retry_hva() --
            // mmu_invalidate_in_progress (which the notifier raises only after it invalidated the
            // caches) or the seq; nothing else (not the candidate fix of the finding either).
            return inProgress != 0 || seq != actors[a].mmuSeq
        }
        if mnActive != 0 { return true }
        // Candidate fix: an invalidation ended since the snapshot (memslot hit or not).
        if fixes.has(.gpcHvaRefreshMissesInvalidation) && mnEndCount != actors[a].gpcEndSnap { return true }
        return seq != actors[a].mmuSeq
    }

    /// hva_to_pfn() failed: out_error re-takes the write lock (C6, which waits for it), then the
    /// refresh fails. pfn 0 (KVM_PFN_ERR_FAULT) marks it.
    private mutating func gpcLookupFailed(_ a: Int) {
        actors[a].pfn = 0
        actors[a].pc = .c6Relock
    }

    /// The end of __kvm_gpc_refresh() under the write lock: on failure valid = false, pfn =
    /// KVM_PFN_ERR_FAULT; then C7 drops the locks. `found` records success for a use's loop.
    private mutating func gpcRefreshDone(_ a: Int, ok: Bool, changed: Bool) {
        if !ok && changed {
            gpc.valid = false
            gpc.pfn = 0
            mapDirty = true
        }
        actors[a].found = ok
        actors[a].pc = .c7Unlock
    }

    /// N2 gfn_to_pfn_cache_invalidate_start(kvm, start, end) for the notifier actor `a`: under
    /// kvm->gpc_lock, each listed cache: read_lock, test valid && pfn && uhva in range; if so,
    /// write_lock, re-test, valid = false. No mmu_lock is held.
    mutating func gpcInvalidateStart(_ a: Int) {
        // (The kernel read-locks every listed cache; with uhva = KVM_HVA_ERR_BAD the test fails
        // and nothing changes, so the model skips the lock there.)
        guard gpc.onList, gpc.uhva != none8 else { return }
        let inRange = Int(gpc.uhva) >= Int(actors[a].lo) && Int(gpc.uhva) < Int(actors[a].hi)
        guard inRange else { return }
        if gpc.valid && gpc.pfn != 0 {
            gpc.valid = false
            mapDirty = true
        }
    }

    /// Whether N2 can run now: it needs gpc->lock for read (no writer), and for write (no readers
    /// either) when it will invalidate.
    @inline(__always) func gpcInvalidateRunnable(_ a: Int, lo: Int, hi: Int) -> Bool {
        guard gpc.onList, gpc.uhva != none8 else { return true }
        if gpc.writer != none8 { return false }
        let hit = Int(gpc.uhva) >= lo && Int(gpc.uhva) < hi && gpc.valid && gpc.pfn != 0
        return !hit || gpc.readers == 0
    }
}
