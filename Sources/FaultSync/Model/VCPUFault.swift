/// Actor F: a vCPU guest fault on the x86 TDP MMU path (arch/x86/kvm/mmu/mmu.c), F0-F12, either
/// from KVM_RUN or from KVM_PRE_FAULT_MEMORY (one page: kvm_vcpu_pre_fault_memory() ->
/// kvm_arch_vcpu_pre_fault_memory() -> kvm_tdp_map_page()).
/// Arguments: a0 = gfn, flagA = fault->is_private, flagB = KVM_PRE_FAULT_MEMORY (prefetch).
/// Locals: slotObj = fault->slot, mmuSeq, pfn/hva/hostVersion of the lookup, level = goal level,
/// phase = 1 on the no-slot (MMIO) path; a3 = the early PMD read of variant host-walk-double-read.
extension World {
    mutating func startFault(_ a: Int, gfn: Int, isPrivate: Bool, prefault: Bool, exec: Bool = false) {
        actors[a].gfn = UInt8(gfn)
        actors[a].isPrivateFault = isPrivate
        actors[a].isPrefault = prefault
        actors[a].nxFlags = exec && !prefault ? NXFault.exec | NXFault.fetch : 0
        actors[a].retries = 0
        actors[a].signalPending = false
        actors[a].pc = .f0SrcuLock
    }

    mutating func stepFault(_ a: Int) {
        let gfn = Int(actors[a].gfn)
        switch actors[a].pc {
        case .f0SrcuLock:
            // KVM_RUN: vcpu_run() leaves to userspace (KVM_EXIT_INTR) when a signal is pending
            // before it re-enters the guest, so a retrying fault ends there.
            if !actors[a].isPrefault && actors[a].signalPending { finishFault(a); return }
            // F0: KVM_RUN holds kvm->srcu around the whole fault (dropped only around guest
            // entry); kvm_vcpu_pre_fault_memory() holds it across the whole ioctl.
            srcuLock(a)
            actors[a].pc = actors[a].isPrefault ? .p0Reload : .f1Memslot

        case .p0Reload:
            // kvm_vcpu_pre_fault_memory(): signal_pending() -> -EINTR; then
            // kvm_arch_vcpu_pre_fault_memory(): kvm_mmu_reload(), at each iteration of
            // kvm_vcpu_pre_fault_memory()'s loop over the range (the model's range is one page). Since
            // 20a6cff3b283 it frees obsolete roots first (KVM_REQ_MMU_FREE_OBSOLETE_ROOTS) and
            // so loads the current root; before it, a loaded root was kept even if obsolete.
            if actors[a].signalPending { finishFault(a); return }
            mmuReload(a)
            if actors[a].pc == .idle { return }
            actors[a].pc = .f1Memslot

        case .f1Memslot:
            // The fault's error code has PFERR_RSVD_MASK (an MMIO SPTE's generation was refused
            // above): fast_page_fault() is not tried (page_fault_can_be_fast()).
            var rsvdFault = false
            if actors[a].isPrefault {
                // kvm_tdp_map_page() loop top: signal_pending() -> -EINTR. The baseline does not
                // reload the root here (finding prefault-obsolete-root-spin); the fix does.
                if actors[a].signalPending { finishFault(a); return }
                if fixes.has(.prefaultObsoleteRootSpin) {
                    mmuReload(a)
                    if actors[a].pc == .idle { return }
                }
            } else {
                // KVM_RUN: vcpu_enter_guest() handled KVM_REQ_MMU_FREE_OBSOLETE_ROOTS
                // (kvm_mmu_free_obsolete_roots) and ran kvm_mmu_reload() before the guest faulted.
                if !freeObsoleteAndLoad(a) { finishFault(a); return }
                // The guest's access hits an MMIO SPTE (EPT misconfiguration exit):
                // kvm_mmu_page_fault(PFERR_RSVD_MASK) -> handle_mmio_page_fault(), a lockless
                // walk; check_mmio_spte(): no memslot update in progress and the SPTE's
                // generation is the memslots' -> RET_PF_EMULATE (the access is emulated as MMIO);
                // else RET_PF_INVALID, the regular fault path below. (KVM_PRE_FAULT_MEMORY never
                // takes this path: its error code has no PFERR_RSVD_MASK.)
                let r = actors[a].root
                if r != none8 && roots[Int(r)].leaf[gfn].mmioGen != 0 {
                    if generation & (1 << 63) == 0 && roots[Int(r)].leaf[gfn].mmioGen == mmioGeneration {
                        checkMmioEmulation(a, gfn: gfn)
                        finishFault(a)
                        return
                    }
                    rsvdFault = true
                }
            }
            // kvm_mmu_do_page_fault(): fault.nx_huge_page_workaround_enabled =
            // is_nx_huge_page_enabled(kvm), read on every attempt.
            // fault->exec: the guest's access is a fetch, unless this attempt is the EPT
            // misconfiguration of a refused MMIO SPTE (handle_ept_misconfig():
            // kvm_mmu_page_fault(vcpu, gpa, PFERR_RSVD_MASK, ...): no exec bit in the error code).
            let fetch = actors[a].nxFlags & NXFault.fetch != 0
            actors[a].nxFlags = (fetch ? NXFault.fetch : 0) | (fetch && !rsvdFault ? NXFault.exec : 0)
                | (nxHugePages ? NXFault.nxOn : 0)
            // F1 kvm_vcpu_gfn_to_memslot(): may return NULL or a KVM_MEMSLOT_INVALID slot.
            actors[a].slotObj = lookup(container: Int(active), gfn: gfn)
            actors[a].phase = 0
            if variant == .hostWalkDoubleRead {
                // The bug: the walk's first read of the PMD, outside the window that F8 validates.
                let o = actors[a].slotObj
                actors[a].firstPMDHuge = o != none8 && isHostHuge(hva: objs[Int(o)].hva(of: gfn))
            }
            // kvm_tdp_mmu_page_fault() -> fast_page_fault() when page_fault_can_be_fast(): the
            // fault is not present (the model's faults are), so only without A/D bits
            // (`!kvm_ad_enabled`), and not on a VM with private memory whose fault disagrees
            // with the gfn's attribute (kvm_mem_is_private(), read without a lock here).
            if !adBits && !rsvdFault && !(hasPrivateMem && actors[a].isPrivateFault != isPrivate(gfn)) {
                actors[a].fastRetries = 0
                actors[a].pc = .f2FastWalk
                return
            }
            actors[a].pc = slowPathStart

        case .f2FastWalk:
            fastWalk(a, gfn: gfn)

        case .f2FastFix:
            fastFix(a, gfn: gfn)

        case .f6aSnapshot:
            // F6a fault->mmu_seq = kvm->mmu_invalidate_seq; smp_rmb();
            actors[a].mmuSeq = snapshotSeq()
            actors[a].pc = .f6bChecks

        case .f6bChecks:
            let o = actors[a].slotObj
            deref(a, o)
            // F6b kvm_mem_is_private() mismatch -> KVM_EXIT_MEMORY_FAULT (-EFAULT to userspace)
            if actors[a].isPrivateFault != isPrivate(gfn) { finishFault(a); return }
            if o == none8 {
                // F6c kvm_handle_noslot_fault(): a private fault exits to userspace
                // (kvm_mmu_prepare_memory_fault_exit, -EFAULT); else emulated MMIO, which goes
                // on to map an MMIO SPTE.
                if actors[a].isPrivateFault { finishFault(a); return }
                actors[a].phase = 1
                actors[a].pc = .f7Lock
                return
            }
            if objs[Int(o)].flags & MemslotFlag.invalid != 0 {
                if variant == .invalidSlotAsNoSlot {          // B4: handled as "no slot"
                    actors[a].phase = 1
                    actors[a].pc = .f7Lock
                } else if actors[a].isPrefault && variant != .prefaultRetryHoldsSrcu {
                    finishFault(a)                            // F6d -EAGAIN for prefault (3ccbf6f47098)
                } else {
                    retryFault(a)                             // F6d RET_PF_RETRY
                }
                return
            }
            // APIC_ACCESS_PAGE_PRIVATE_MEMSLOT && !kvm_apicv_activated() -> RET_PF_EMULATE: no
            // mapping while APICv is inhibited (read without a lock, after the mmu_seq snapshot).
            if o == apicObj && apicvInhibited { finishFault(a); return }
            actors[a].pc = .f6fPrecheck

        case .f6fPrecheck:
            // F6f mmu_invalidate_retry_gfn_unsafe() before the (possibly sleeping) lookup.
            // With the snapshot moved after the lookup there is nothing to compare against yet.
            if variant != .seqSnapshotAfterLookup && !(variant == .gmemFaultNoRetryCheck && actors[a].isPrivateFault)
                && retryGfnUnsafe(actors[a].mmuSeq, gfn) {
                retryFault(a)
            } else {
                actors[a].pc = .f6gLookup
            }

        case .f6gLookup:
            // F6g __kvm_mmu_faultin_pfn(): "if (fault->is_private || kvm_memslot_is_gmem_only(
            // fault->slot))" kvm_mmu_faultin_pfn_gmem() -> kvm_gmem_get_pfn(); else hva_to_pfn() (GUP).
            let o = actors[a].slotObj
            deref(a, o)
            if actors[a].isPrivateFault || objs[Int(o)].flags & MemslotFlag.gmemOnly != 0 {
                // kvm_mmu_faultin_pfn_gmem(): !kvm_slot_has_gmem(slot) -> memory fault exit
                // (-EFAULT); kvm_gmem_get_pfn() -> the folio (allocated on first touch), or
                // -EFAULT once the file is released. No shared/private check: a shared fault on
                // a gmem-only slot gets the same folio.
                if objs[Int(o)].flags & MemslotFlag.gmem == 0 { finishFault(a); return }
                let p = gmemGetPfn(o, gfn: gfn)
                if p == 0 { finishFault(a); return }
                actors[a].pfn = p
                actors[a].hva = actors[a].isPrivateFault ? 0 : gmemHva   // ghost: no host mapping read
                actors[a].lookupAt = now
            } else {
                if !hvaToPfn(a, hva: objs[Int(o)].hva(of: gfn)) { finishFault(a); return }   // F6h error pfn
            }
            if variant == .srcuUnlockBeforeInstall { srcuUnlock(a) }
            actors[a].pc = variant == .seqSnapshotAfterLookup ? .f6aLateSnapshot : .f6iPrecheck

        case .f6aLateSnapshot:
            actors[a].mmuSeq = snapshotSeq()
            actors[a].pc = .f6iPrecheck

        case .f6iPrecheck:
            // F6i second mmu_invalidate_retry_gfn_unsafe(); on retry the page is released.
            if !(variant == .gmemFaultNoRetryCheck && actors[a].isPrivateFault) && retryGfnUnsafe(actors[a].mmuSeq, gfn) {
                retryFault(a)
            } else {
                actors[a].pc = .f7Lock
            }

        case .f7Lock:
            readLock()                        // F7 read_lock(&kvm->mmu_lock) (TDP MMU)
            actors[a].pc = .f8Stale

        case .f8Stale:
            // F8 is_page_fault_stale(): the root is obsolete (a955cad84cda), or
            // slot && mmu_invalidate_retry_gfn(kvm, mmu_seq, gfn)
            let o = actors[a].slotObj
            deref(a, o)
            let obsolete = variant != .noObsoleteRootCheck && rootIsObsolete(actors[a].root)
            let skipRetry = variant == .gmemFaultNoRetryCheck && actors[a].isPrivateFault
            if obsolete || (o != none8 && actors[a].phase == 0 && !skipRetry && retryGfn(actors[a].mmuSeq, gfn)) {
                readUnlock()
                retryFault(a)
                return
            }
            actors[a].pc = actors[a].phase == 1 ? .f11Install : .f10Adjust

        case .f10Adjust:
            // F10 kvm_mmu_hugepage_adjust(): lpage_info (slot alignment, dirty log, MIXED) and,
            // for shared memory, host_pfn_mapping_level() (one READ_ONCE per level).
            let o = actors[a].slotObj
            deref(a, o)
            var lvl: UInt8 = 0
            if hugeAllowed(o, block: gfn / Cap.hugePages) {
                let hostHugeNow = variant == .hostWalkDoubleRead ? actors[a].firstPMDHuge : isHostHuge(hva: Int(actors[a].hva))
                // Private, or shared on a gmem-only slot: kvm_gmem_max_mapping_level() caps the
                // level at the folio's order (fault->max_level), and guest_memfd allocates
                // order-0 folios only: 4K.
                if !actors[a].isPrivateFault && actors[a].hva != gmemHva && hostHugeNow { lvl = 1 }
            }
            // fault->huge_page_disallowed = fault->exec && fault->nx_huge_page_workaround_enabled;
            // fault->req_level is the level found above; the goal level stays 4K when disallowed.
            let disallowed = actors[a].nxFlags & (NXFault.exec | NXFault.nxOn) == NXFault.exec | NXFault.nxOn
            actors[a].nxFlags = (actors[a].nxFlags & ~NXFault.reqHuge) | (lvl == 1 ? NXFault.reqHuge : 0)
            actors[a].level = disallowed ? 0 : lvl
            actors[a].pc = .f11Install

        case .f11Install:
            nxAdjustLevel(a, gfn: gfn)
            if nxLinkFirst(a, gfn: gfn) { actors[a].pc = .f11Track; return }
            installFault(a, gfn: gfn)
            actors[a].pc = .f12Finish

        case .f11Track:
            stepFaultTrack(a)

        case .f11Leaf:
            // Back in kvm_tdp_mmu_map(): the walk steps into the table it linked. If another task
            // zapped it since (handle_removed_pt froze its SPTEs), the install's
            // tdp_mmu_set_spte_atomic() fails: RET_PF_RETRY.
            let (_, alive) = takeWatch(a)
            if !alive {
                readUnlock()
                retryFault(a)
                return
            }
            installFault(a, gfn: gfn)
            actors[a].pc = .f12Finish

        case .f12Finish:
            // F12 kvm_mmu_finish_page_fault() (page released under mmu_lock); read_unlock.
            readUnlock()
            finishFault(a)

        default:
            break
        }
    }

    /// Where the slow path (kvm_mmu_faultin_pfn) starts after F1 / fast_page_fault().
    @inline(__always) var slowPathStart: PC { variant == .seqSnapshotAfterLookup ? .f6bChecks : .f6aSnapshot }

    /// F2a fast_page_fault(), one pass of its loop: walk_shadow_page_lockless_begin() (RCU, no
    /// mmu_lock) and kvm_tdp_mmu_fast_pf_get_last_sptep() through the vCPU's root (the one it
    /// loaded, valid or not: it holds a reference), then the checks on the last SPTE read:
    /// not shadow-present (or an MMIO SPTE) -> RET_PF_INVALID, the slow path; the access allowed
    /// already (is_access_allowed(): not access-tracked, and for an instruction fetch
    /// executable) -> RET_PF_SPURIOUS; access-tracked -> restore_acc_track_spte() at F2b, unless
    /// the restored SPTE still does not allow the access (a fetch from a huge SPTE made not
    /// executable by the NX huge page mitigation) -> the slow path. The value read is kept for
    /// F2b's cmpxchg: pfn, hva, level (1: the 2M entry), hostVersion (bits | incarnation << 8).
    mutating func fastWalk(_ a: Int, gfn: Int) {
        let r = Int(actors[a].root)
        guard r < Cap.roots, gfn < Cap.gfns else { actors[a].pc = slowPathStart; return }
        let b = gfn / Cap.hugePages
        let s: SPTE
        if roots[r].huge[b].present {
            s = roots[r].huge[b]
            actors[a].level = 1
        } else if roots[r].hasPT & (1 << UInt8(b)) != 0 {
            s = roots[r].leaf[gfn]
            actors[a].level = 0
        } else {
            actors[a].pc = slowPathStart        // the walk ends at the non-present 2M entry
            return
        }
        guard s.present else { actors[a].level = 0; actors[a].pc = slowPathStart; return }
        let fetchDenied = actors[a].nxFlags & NXFault.exec != 0 && s.nx
        if !s.accessTracked && !fetchDenied { actors[a].level = 0; finishFault(a); return }   // RET_PF_SPURIOUS
        if !s.accessTracked || fetchDenied { actors[a].level = 0; actors[a].pc = slowPathStart; return }
        actors[a].pfn = s.pfn
        actors[a].hva = s.hva
        actors[a].hostVersion = UInt32(s.bits) | UInt32(s.incarnation) << 8
        actors[a].pc = .f2FastFix
    }

    /// F2b fast_pf_fix_direct_spte(): try_cmpxchg64(sptep, &old_spte, new_spte) with the value
    /// F2a read and that value restored (no access tracking): RET_PF_FIXED, or on failure another
    /// pass of the loop (F2a), at most 4 retries ("Fast #PF retrying more than 4 times": the slow
    /// path). sptep is the entry F2a read: a 4K entry whose page table has been unlinked since
    /// was frozen by handle_removed_pt() (the cmpxchg fails). No TLB flush: the restored SPTE
    /// only grants access. Variant fast-pf-plain-write: a store of the restored value instead.
    mutating func fastFix(_ a: Int, gfn: Int) {
        let r = Int(actors[a].root), b = gfn / Cap.hugePages
        let huge = actors[a].level == 1
        let bits = UInt16(truncatingIfNeeded: actors[a].hostVersion & 0xFF)
        var old = SPTE(pfn: actors[a].pfn, hva: actors[a].hva,
                       incarnation: UInt8(truncatingIfNeeded: actors[a].hostVersion >> 8))
        old.bits = bits
        actors[a].level = 0
        let linked = huge ? roots[r].hasPT & (1 << UInt8(b)) == 0 : roots[r].hasPT & (1 << UInt8(b)) != 0
        if variant == .fastPfPlainWrite {
            // The store lands in the entry whatever it holds now (over a page table linked in
            // between the model has no entry to write: nothing happens there).
            if linked {
                var restored = old
                restored.accessTracked = false
                mapDirty = true
                if huge { roots[r].huge[b] = restored } else { roots[r].leaf[gfn] = restored }
            }
            finishFault(a)
            return
        }
        let cur = huge ? roots[r].huge[b] : roots[r].leaf[gfn]
        if linked && cur.sameValue(old) {
            mapDirty = true
            if huge { roots[r].huge[b].accessTracked = false } else { roots[r].leaf[gfn].accessTracked = false }
            finishFault(a)                      // RET_PF_FIXED
            return
        }
        actors[a].fastRetries &+= 1
        actors[a].pc = actors[a].fastRetries > 4 ? slowPathStart : .f2FastWalk
    }

    /// kvm_mmu_reload() (arch/x86/kvm/mmu/mmu.h): since 20a6cff3b283 it first handles
    /// KVM_REQ_MMU_FREE_OBSOLETE_ROOTS (kvm_mmu_free_obsolete_roots), then loads a root when
    /// none is loaded, so the vCPU ends up on the current root. Variant
    /// reload-ignores-obsolete-request: the request is not handled and the loaded (obsolete)
    /// root stays. KVM_RUN does not go through this: vcpu_enter_guest() handles the request.
    mutating func mmuReload(_ a: Int) {
        if variant == .reloadIgnoresObsoleteRequest && actors[a].root != none8 { return }
        if !freeObsoleteAndLoad(a) { finishFault(a) }
    }

    /// kvm_mmu_free_obsolete_roots() (put the vCPU's root if it is invalid), then kvm_mmu_load()
    /// if no root is loaded. False when no root could be allocated (-ENOMEM).
    /// Both take mmu_lock for read with the TDP MMU, and only when they have work:
    /// kvm_mmu_free_roots() ("Before acquiring the MMU lock, see if we need to do any real
    /// work"; `is_tdp_mmu ? read_lock : write_lock`) and kvm_tdp_mmu_alloc_root() (read_lock
    /// around the search for a valid root and the allocation). The model takes and drops the
    /// lock in this one step (nothing else of the step needs it held), so a writer holding it
    /// blocks the step (`runnable`: `reloadTakesMmuLock`) and a zap walk at a yield point yields
    /// to it.
    mutating func freeObsoleteAndLoad(_ a: Int) -> Bool {
        let r = actors[a].root
        if r != none8 && roots[Int(r)].state == .valid { return true }
        readLock()
        defer { readUnlock() }
        if r != none8 {
            actors[a].root = none8
            putRoot(r)
        }
        return loadRoot(a) != none8
    }

    /// Whether vCPU record `x`'s next step (P0 or F1) frees or loads a root, and so takes
    /// mmu_lock for read (`freeObsoleteAndLoad`): the branches of `stepFault` that call it, and
    /// the loaded root not valid. `rootValid`: whether `x.root` is a valid root.
    @inline(__always) func reloadTakesMmuLock(_ x: Actor, rootValid: Bool) -> Bool {
        if rootValid { return false }
        switch x.pc {
        case .p0Reload:
            // signal_pending() -> -EINTR first; the variant keeps a loaded root.
            return !x.signalPending && !(variant == .reloadIgnoresObsoleteRequest && x.root != none8)
        case .f1Memslot:
            guard x.isPrefault else { return true }        // KVM_RUN: vcpu_enter_guest()'s reload
            return !x.signalPending && fixes.has(.prefaultObsoleteRootSpin)
                && !(variant == .reloadIgnoresObsoleteRequest && x.root != none8)
        default:
            return false
        }
    }

    /// Whether lpage_info allows a huge mapping of `block` in slot object `o`
    /// (__kvm_mmu_max_mapping_level without the host walk).
    @inline(__always) func hugeAllowed(_ o: UInt8, block: Int) -> Bool {
        guard o != none8 else { return false }
        let s = objs[Int(o)]
        let start = block * Cap.hugePages
        return s.flags & MemslotFlag.dirtyLog == 0
            && start >= Int(s.base) && start + Cap.hugePages <= Int(s.base) + Int(s.npages)
            && (Int(s.uaddr) - Int(s.base)) & (Cap.hugePages - 1) == 0
            && s.mixed & (1 << UInt8(block)) == 0
    }

    /// F11 tdp_mmu_map_handle_target_level(): install the leaf (and the install-time oracles).
    mutating func installFault(_ a: Int, gfn: Int) {
        let o = actors[a].slotObj
        deref(a, o)
        mapDirty = true
        if o != none8 && objs[Int(o)].flags & MemslotFlag.invalid != 0 {
            fail(.installThroughInvalidSlot, .installInvalid, actor: a, Int64(gfn))
        }
        // I10: nothing is installed into a root that is obsolete at install time.
        let r = Int(actors[a].root)
        if rootIsObsolete(actors[a].root) {
            fail(.obsoleteRoot, .installObsoleteRoot, actor: a, Int64(gfn), Int64(actors[a].root))
        }
        guard r < Cap.roots else { return }
        let b = gfn / Cap.hugePages
        if actors[a].phase == 1 {
            // No slot: tdp_mmu_map_handle_target_level() installs make_mmio_spte() at 4K (the
            // generation read now, from kvm_vcpu_memslots(), not from the lookup's memslots) and
            // the access is emulated (RET_PF_EMULATE). Over a huge leaf the walk splits it first.
            splitHuge(root: r, block: b)
            // The walk links the page table (the split's, or a new one) before the target level.
            linkPT(root: r, block: b, disallowed: actors[a].hugePageDisallowed)
            // A present leaf (any access is allowed here) is RET_PF_SPURIOUS, after
            // WARN_ON_ONCE(fault->pfn != spte_to_pfn(old)) (988da7820206), and a no-slot fault's
            // pfn is KVM_PFN_NOSLOT: finding noslot-fault-spurious-warn (the fix: no WARN here).
            // Without A/D bits a KVM_RUN fault over an access-tracked leaf is not spurious
            // (is_access_allowed() is false): make_mmio_spte() replaces the leaf, and, the old
            // SPTE being MMU-writable (a prefault maps writable host memory writable), the
            // WARN_ON_ONCE(leaf_spte_change_needs_tlb_flush()) fires before the flush, and the
            // access is emulated (RET_PF_EMULATE). (The MMIO SPTE carries the generation that
            // the creation, still waiting in synchronize_srcu for this fault, replaces: a later
            // access refuses it.) The candidate fix treats a no-slot fault over any present leaf
            // as spurious, without a WARN.
            if roots[r].leaf[gfn].present {
                let old = roots[r].leaf[gfn]
                if fixes.has(.noslotFaultSpuriousWarn) { return }
                if spuriousOver(old, a) {
                    fail(.kernelWarn, .warnSpuriousNoslot, actor: a, Int64(gfn), Int64(old.pfn))
                    return
                }
                fail(.kernelWarn, .warnNoslotReplacesLeaf, actor: a, Int64(gfn), Int64(old.pfn))
                mapDirty = true
                tlbStale[gfn] = 0                 // kvm_flush_remote_tlbs_gfn()
            }
            roots[r].leaf[gfn] = SPTE(mmioGen: mmioGeneration)
            return
        }
        let priv = actors[a].isPrivateFault
        let pfn = actors[a].pfn
        if priv || actors[a].hva == gmemHva {
            // I5/I6 for guest_memfd memory: the folio looked up at F6g is still the file's page
            // (not truncated by a punch hole since).
            if gmemPfn[gfn] != pfn || isFreed(pfn) {
                fail(.staleCommit, .installGmemTruncated, actor: a, Int64(gfn), Int64(pfn) | Int64(gmemPfn[gfn]) << 16)
            } else if gmemPoisonHandled & (1 << UInt32(gfn)) != 0 {
                fail(.staleCommit, .installGmemPoisoned, actor: a, Int64(gfn), Int64(pfn))
            }
        } else {
            // I5/I6 at commit: the host PTE looked up at F6g must be unchanged and its page live.
            let h = Int(actors[a].hva)
            if host[h].version != actors[a].hostVersion {
                // a: gfn | hva << 8 | lookup step << 16; b: change step | looked-up pfn << 32 | pfn now << 48
                fail(.staleCommit, .installHostChanged, actor: a,
                     Int64(gfn) | Int64(h) << 8 | Int64(actors[a].lookupAt) << 16,
                     Int64(host[h].changedAt) | Int64(pfn) << 32 | Int64(host[h].pfn) << 48)
            } else if isFreed(pfn) {
                fail(.staleCommit, .installPfnFreed, actor: a, Int64(gfn), Int64(pfn))
            }
        }
        let inc = objs[Int(o)].incarnation
        if actors[a].level == 1 {
            // tdp_mmu_map_handle_target_level(): a present leaf at the target level (any access
            // is allowed here) is RET_PF_SPURIOUS, with WARN_ON_ONCE(fault->pfn != its pfn).
            let hp = pfn & ~UInt16(Cap.hugePages - 1)
            if roots[r].huge[b].present {
                if spuriousOver(roots[r].huge[b], a) {
                    if roots[r].huge[b].pfn != hp {
                        fail(.kernelWarn, .warnSpuriousPfnMismatch, actor: a, Int64(b * Cap.hugePages), Int64(roots[r].huge[b].pfn) << 16 | Int64(hp))
                    }
                    return
                }
                // make_spte() and tdp_mmu_set_spte_atomic() over the access-tracked leaf:
                // handle_changed_spte() BUG()s when a present leaf changes pfn.
                if roots[r].huge[b].pfn != hp {
                    fail(.kernelBug, .bugLeafPfnChanged, actor: a, Int64(b * Cap.hugePages), Int64(roots[r].huge[b].pfn) << 16 | Int64(hp))
                }
            }
            installHuge(root: r, block: b, isPrivate: priv, pfn: hp,
                        hva: actors[a].hva & ~UInt8(Cap.hugePages - 1), incarnation: inc,
                        accessTracked: !adBits && actors[a].isPrefault, nx: !adBits && nxHugePages)
        } else {
            splitHuge(root: r, block: b)
            // kvm_tdp_mmu_map(): the walk links the page table (the split's, or a new one;
            // sp->nx_huge_page_disallowed = fault->huge_page_disallowed) before the target level,
            // also when the leaf there turns out to be present.
            linkPT(root: r, block: b, disallowed: actors[a].hugePageDisallowed)
            // tdp_mmu_map_handle_target_level(): RET_PF_SPURIOUS over a present leaf when
            // fault->prefetch or is_access_allowed(), with WARN_ON_ONCE(fault->pfn !=
            // spte_to_pfn(old)). Else (a KVM_RUN fault over an access-tracked leaf, no A/D bits)
            // make_spte() replaces it, and handle_changed_spte() BUG()s if the pfn changed.
            // (Write protection is not modelled: the other way to reach that BUG.)
            if roots[r].leaf[gfn].present {
                if spuriousOver(roots[r].leaf[gfn], a) {
                    if roots[r].leaf[gfn].pfn != pfn {
                        fail(.kernelWarn, .warnSpuriousPfnMismatch, actor: a, Int64(gfn), Int64(roots[r].leaf[gfn].pfn) << 16 | Int64(pfn))
                    }
                    return
                }
                if roots[r].leaf[gfn].pfn != pfn {
                    fail(.kernelBug, .bugLeafPfnChanged, actor: a, Int64(gfn), Int64(roots[r].leaf[gfn].pfn) << 16 | Int64(pfn))
                }
            }
            // make_spte(): a prefetch (KVM_PRE_FAULT_MEMORY) SPTE is access-tracked without A/D bits.
            roots[r].leaf[gfn] = SPTE(present: true, isPrivate: priv, pfn: pfn, hva: actors[a].hva, incarnation: inc,
                                      accessTracked: !adBits && actors[a].isPrefault)
        }
    }

    /// kvm_tdp_mmu_map(): a huge leaf above the target level is split, not zapped
    /// (tdp_mmu_split_huge_page): its children keep mapping the huge page's 4K pages.
    mutating func splitHuge(root r: Int, block b: Int) {
        guard roots[r].huge[b].present else { return }
        let h = roots[r].huge[b]
        roots[r].huge[b] = SPTE()
        // make_small_spte(): the children keep the huge SPTE's bits (access tracking too); a 4K
        // child is made executable when the NX huge page mitigation is on (else it keeps the
        // huge SPTE's NX).
        for i in 0..<Cap.hugePages {
            roots[r].leaf[b * Cap.hugePages + i] = SPTE(present: true, isPrivate: h.isPrivate, pfn: h.pfn + UInt16(i),
                                                       hva: h.isPrivate ? 0 : h.hva + UInt8(i), incarnation: h.incarnation,
                                                       accessTracked: h.accessTracked, nx: h.nx && !nxHugePages)
        }
    }

    /// The generation an MMIO SPTE made now carries (see `SPTE.mmioGen`).
    @inline(__always) var mmioGeneration: UInt16 { UInt16(truncatingIfNeeded: generation & 0x7FFF) &+ 1 }

    /// I12 at an access emulated as MMIO through a cached MMIO SPTE: the gfn must not have a
    /// memslot that a KVM_SET_USER_MEMORY_REGION which has returned made visible. (Only an
    /// update still running may leave either answer to the guest.)
    mutating func checkMmioEmulation(_ a: Int, gfn: Int) {
        let o = lookup(container: Int(active), gfn: gfn)
        guard o != none8, objs[Int(o)].flags & (MemslotFlag.invalid | MemslotFlag.pending) == 0 else { return }
        fail(.staleMmioSpte, .mmioSpteHitsMemslot, actor: a, Int64(gfn), Int64(roots[Int(actors[a].root)].leaf[gfn].mmioGen) - 1)
    }

    /// Replace a block's page table (and its children) by one huge leaf in root `r`.
    /// `accessTracked`, `nx`: see `SPTE` (set only without A/D bits, where something reads them).
    mutating func installHuge(root r: Int, block b: Int, isPrivate: Bool, pfn: UInt16, hva: UInt8, incarnation: UInt8,
                              accessTracked: Bool = false, nx: Bool = false) {
        mapDirty = true
        for i in 0..<Cap.hugePages { roots[r].leaf[b * Cap.hugePages + i] = SPTE() }
        unlinkPT(root: r, block: b)
        roots[r].huge[b] = SPTE(present: true, isPrivate: isPrivate, pfn: pfn, hva: hva, incarnation: incarnation,
                                accessTracked: accessTracked, nx: nx)
    }

    /// tdp_mmu_map_handle_target_level(): a present leaf at the target level makes the fault
    /// RET_PF_SPURIOUS when `fault->prefetch || is_access_allowed(fault, old)` (988da7820206).
    @inline(__always) func spuriousOver(_ old: SPTE, _ a: Int) -> Bool {
        actors[a].isPrefault || (!old.accessTracked && !(actors[a].nxFlags & NXFault.exec != 0 && old.nx))
    }

    /// RET_PF_RETRY: the guest re-enters and faults again (KVM_RUN drops SRCU around entry);
    /// a prefault loops in kvm_tdp_map_page() without leaving SRCU and without kvm_mmu_reload().
    mutating func retryFault(_ a: Int) {
        actors[a].slotObj = none8
        actors[a].retries &+= 1
        if actors[a].isPrefault {
            actors[a].pc = .f1Memslot
        } else {
            srcuUnlock(a)
            actors[a].pc = .f0SrcuLock
        }
    }

    /// disallowed_hugepage_adjust() (kvm_tdp_mmu_map, when nx_huge_page_workaround_enabled): a
    /// fault that would map huge over a page table made for an executable 4K mapping
    /// (sp->nx_huge_page_disallowed) maps 4K under it instead.
    mutating func nxAdjustLevel(_ a: Int, gfn: Int) {
        guard actors[a].level == 1, actors[a].phase == 0, actors[a].nxFlags & NXFault.nxOn != 0 else { return }
        let r = Int(actors[a].root), b = gfn / Cap.hugePages
        guard r < Cap.roots else { return }
        if roots[r].hasPT & roots[r].nxDisallowed & (1 << UInt8(b)) != 0 { actors[a].level = 0 }
    }

    /// kvm_tdp_mmu_map() for a fault whose new page table is a possible NX huge page
    /// (fault->huge_page_disallowed && fault->req_level >= the table's level): it links the table
    /// (splitting a huge leaf there) in one step, then tracks it (F11t), then maps the leaf
    /// (F11 leaf). True when it linked one.
    mutating func nxLinkFirst(_ a: Int, gfn: Int) -> Bool {
        let f = actors[a].nxFlags
        guard actors[a].phase == 0, actors[a].level == 0, actors[a].hugePageDisallowed, f & NXFault.reqHuge != 0,
              !rootIsObsolete(actors[a].root) else { return false }
        let r = Int(actors[a].root), b = gfn / Cap.hugePages
        guard roots[r].hasPT & (1 << UInt8(b)) == 0 else { return false }
        mapDirty = true
        splitHuge(root: r, block: b)
        linkPT(root: r, block: b, disallowed: true)
        setWatch(a, World.spName(r, b), alive: true)
        return true
    }

    mutating func finishFault(_ a: Int) {
        srcuUnlock(a)
        actors[a].nxFlags = 0
        actors[a].signalPending = false   // delivered on the way back to userspace
        actors[a].slotObj = none8
        actors[a].pc = .idle
    }
}
