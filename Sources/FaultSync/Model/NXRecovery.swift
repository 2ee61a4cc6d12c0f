/// NX huge pages (the iTLB multihit mitigation, arch/x86/kvm/mmu/{mmu,tdp_mmu}.c): page tables
/// that an executable fault made instead of a huge mapping (sp->nx_huge_page_disallowed), the
/// list of those that could be huge (kvm->arch.possible_nx_huge_pages, under
/// tdp_mmu_pages_lock), and the recovery thread that zaps them so that they can be faulted back
/// huge (kvm_nx_huge_page_recovery_worker -> kvm_recover_nx_huge_pages, Y0-Y3, run by the
/// `nxrec` actor: a thread of its own, as in the kernel, so a pass may overlap the
/// `nx_huge_pages` toggle (until 2026-11-29, nineteenth session, both ran on the `nx` actor).
///
/// A page table is named by its root and huge block: `nxList` entries are root << 3 | block. An
/// actor that holds a pointer to a page table across steps (a fault between linking it and
/// tracking/filling it, the recovery between picking it and zapping it) watches it in
/// `World.nxWatch` (vcpu0, vcpu1, the recovery thread nxrec): the name, with bit 7 while it is still the
/// table linked there. Removing the table clears bit 7 (the kernel compares sp->spt with the
/// parent SPTE, or finds the SPTE frozen). The watches live in the world, not in the actors'
/// records, so that a step that removes a table writes only the TDP MMU state.
extension World {
    @inline(__always) static func spName(_ r: Int, _ b: Int) -> UInt8 { UInt8(r << 3 | b) }

    /// Link a page table for block `b` of root `r` if there is none (tdp_mmu_link_sp /
    /// tdp_mmu_split_huge_page: sp->nx_huge_page_disallowed = fault->huge_page_disallowed).
    /// Returns whether a new table was linked.
    @discardableResult
    mutating func linkPT(root r: Int, block b: Int, disallowed: Bool) -> Bool {
        let bit = UInt8(1) << UInt8(b)
        guard roots[r].hasPT & bit == 0 else { return false }
        roots[r].hasPT |= bit
        if disallowed { roots[r].nxDisallowed |= bit } else { roots[r].nxDisallowed &= ~bit }
        return true
    }

    /// Remove the page table of block `b` of root `r` (handle_removed_pt -> tdp_mmu_unlink_sp:
    /// if sp->nx_huge_page_disallowed, clear it and untrack_possible_nx_huge_page() under
    /// tdp_mmu_pages_lock; the table itself is freed by RCU). The caller clears the SPTEs.
    mutating func unlinkPT(root r: Int, block b: Int) {
        let bit = UInt8(1) << UInt8(b)
        guard roots[r].hasPT & bit != 0 else { return }
        roots[r].hasPT &= ~bit
        if roots[r].nxDisallowed & bit != 0 {
            roots[r].nxDisallowed &= ~bit
            nxUntrack(World.spName(r, b), shadowCount: false)   // untrack_possible_nx_huge_page(kvm, sp, KVM_TDP_MMU)
        }
        // Whoever still points at it sees it gone.
        let name = World.spName(r, b)
        for i in 0..<3 where nxWatch[i] == name | 0x80 { nxWatch[i] = name }
    }

    @inline(__always) static func watchSlot(_ a: Int) -> Int { a == 12 ? 2 : a & 1 }
    @inline(__always) mutating func setWatch(_ a: Int, _ name: UInt8, alive: Bool) {
        nxWatch[World.watchSlot(a)] = name | (alive ? 0x80 : 0)
    }
    /// The watched table and whether it is still linked; clears the watch.
    @inline(__always) mutating func takeWatch(_ a: Int) -> (UInt8, Bool) {
        let w = nxWatch[World.watchSlot(a)]
        nxWatch[World.watchSlot(a)] = none8
        return (w & 0x7F, w != none8 && w & 0x80 != 0)
    }

    /// untrack_possible_nx_huge_page(kvm, sp, mmu_type): a no-op when not on the list; else
    /// --possible_nx_huge_pages[mmu_type].nr_pages and list_del_init. The page is always a TDP MMU
    /// page here: `shadowCount` says that the caller passed KVM_SHADOW_MMU all the same.
    mutating func nxUntrack(_ name: UInt8, shadowCount: Bool) {
        var i = 0
        while i < Int(nxCount) && nxList[i] != name { i += 1 }
        guard i < Int(nxCount) else { return }
        if shadowCount { nxPagesShadow &-= 1 } else { nxPagesTDP &-= 1 }
        while i + 1 < Int(nxCount) { nxList[i] = nxList[i + 1]; i += 1 }
        nxCount -= 1
        nxList[Int(nxCount)] = none8
    }

    /// track_possible_nx_huge_page(kvm, sp, KVM_TDP_MMU): ++nr_pages, list_add_tail.
    mutating func nxTrack(_ name: UInt8) {
        guard Int(nxCount) < Cap.roots * Cap.blocks else { return }
        nxList[Int(nxCount)] = name
        nxCount += 1
        nxPagesTDP &+= 1
    }

    // MARK: the fault's side (kvm_tdp_mmu_map)

    /// F11t: after linking its page table, the fault adds it to possible_nx_huge_pages under
    /// tdp_mmu_pages_lock, if sp->nx_huge_page_disallowed is still set (21a36ac6b6c7: another
    /// task may have zapped the new table since, and tdp_mmu_unlink_sp() cleared the flag).
    mutating func stepFaultTrack(_ a: Int) {
        let w = nxWatch[World.watchSlot(a)]
        let name = w & 0x7F, alive = w & 0x80 != 0
        let r = Int(name >> 3), b = Int(name & 7)
        let stillDisallowed = alive && roots[r].nxDisallowed & (1 << UInt8(b)) != 0
        if variant == .nxTrackWithoutRecheck || stillDisallowed {
            if !alive {
                // The table was unlinked and handed to call_rcu(): once the grace period ends it
                // is freed while on the list (KASAN use-after-free / CONFIG_DEBUG_LIST corruption
                // at the next list operation: the recovery thread or an untrack).
                fail(.kernelBug, .nxTrackFreedSp, actor: a, Int64(r), Int64(b))
            }
            nxTrack(name)
        }
        actors[a].pc = .f11Leaf
    }

    // MARK: the recovery thread (Y0-Y3)

    /// The nx_huge_pages recovery thread's pass (one call of kvm_recover_nx_huge_pages()); it
    /// does nothing when the mitigation is off (calc_nx_huge_pages_recovery_period()).
    mutating func startNxRecovery(_ a: Int) {
        // to_zap = nx_huge_pages_to_zap(kvm, KVM_TDP_MMU) = DIV_ROUND_UP(nr_pages, ratio 60):
        // computed on entry, before srcu_read_lock, from the count, not the list (phase: 0/1).
        actors[a].phase = nxPagesTDP != 0 ? 1 : 0
        actors[a].pc = .y0Srcu
    }

    mutating func stepNxRecovery(_ a: Int) {
        switch actors[a].pc {
        case .y0Srcu:
            srcuLock(a)                       // Y0 rcu_idx = srcu_read_lock(&kvm->srcu)
            actors[a].pc = .y1Pick
        case .y1Pick:
            // Y1 read_lock(&kvm->mmu_lock); rcu_read_lock(); spin_lock(tdp_mmu_pages_lock);
            // sp = the list's first entry; unaccount_nx_huge_page() (flag cleared, list_del_init);
            // spin_unlock. to_zap (phase) = DIV_ROUND_UP(nr_pages[KVM_TDP_MMU], ratio 60): 0 or 1 here.
            readLock()
            if actors[a].phase == 0 || nxCount == 0 {
                actors[a].pc = .y3Unlock
                return
            }
            let name = nxList[0]
            let r = Int(name >> 3), b = Int(name & 7)
            // unaccount_nx_huge_page(): sp->nx_huge_page_disallowed = false;
            // untrack_possible_nx_huge_page(kvm, sp, KVM_SHADOW_MMU) -- the baseline passes the
            // shadow MMU's type for this TDP MMU page (fix: the page's own type).
            roots[r].nxDisallowed &= ~(1 << UInt8(b))
            nxUntrack(name, shadowCount: !fixes.has(.nxUnaccountWrongMmuType))
            setWatch(a, name, alive: roots[r].hasPT & (1 << UInt8(b)) != 0)
            actors[a].pc = .y2Zap
        case .y2Zap:
            // Y2 kvm_mmu_sp_dirty_logging_enabled(): nothing when no memslot logs dirty pages
            // (nr_memslots_dirty_logging); else __gfn_to_memslot(sp->gfn), WARN_ON_ONCE(!slot).
            let (name, alive) = takeWatch(a)
            let r = Int(name >> 3), b = Int(name & 7)
            var dirty = false
            if dirtyLogSlots != 0 {
                let o = lookup(container: Int(active), gfn: b * Cap.hugePages)
                deref(a, o)
                if o == none8 {
                    if !fixes.has(.nxRecoveryNoSlotWarn) {
                        fail(.kernelWarn, .warnNxRecoveryNoSlot, actor: a, Int64(b * Cap.hugePages), Int64(r))
                    }
                } else {
                    dirty = objs[Int(o)].flags & MemslotFlag.dirtyLog != 0
                }
            }
            // kvm_tdp_mmu_zap_possible_nx_huge_page(): zap the parent SPTE only if it still points
            // at this table (spte_to_child_pt), with tdp_mmu_set_spte_atomic().
            // It returns whether it zapped: the caller flushes (048f49809c52; `flush |=`, not `=`, since
            // 315f02c60d94 "preserve pending TLB flush across calls to kvm_tdp_mmu_zap_sp").
            if !dirty && alive {
                mapDirty = true
                let g0 = b * Cap.hugePages
                for i in 0..<Cap.hugePages {
                    if roots[r].state == .valid && roots[r].leaf[g0 + i].present { tlbStale[g0 + i] = roots[r].leaf[g0 + i].pfn }
                    roots[r].leaf[g0 + i] = SPTE()
                }
                unlinkPT(root: r, block: b)
                actors[a].tlbFlush = TLBFlush.ret
            }
            actors[a].pc = .y3Unlock
        case .y3Unlock:
            // Y3 kvm_mmu_remote_flush_or_zap(kvm, &invalid_list, flush); rcu_read_unlock();
            // read_unlock(&kvm->mmu_lock); srcu_read_unlock(&kvm->srcu, rcu_idx).
            if variant != .nxRecoveryNoTlbFlush { flushOnReturn(a) } else { actors[a].tlbFlush = 0 }
            readUnlock()
            srcuUnlock(a)
            actors[a].pc = .idle
        default:
            break
        }
    }
}
