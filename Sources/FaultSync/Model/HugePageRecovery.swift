/// Actor H: kvm_mmu_recover_huge_pages() -> kvm_tdp_mmu_recover_huge_pages()
/// (arch/x86/kvm/mmu/tdp_mmu.c), H1-H6, called from the memslot flags path with slots_lock held.
/// Arguments: a1 = slot id. Locals: slotObj = the slot, cursor = block, found = mmu_lock held.
extension World {
    mutating func startRecover(_ a: Int, id: Int) {
        actors[a].slotID = UInt8(id)
        actors[a].found = false
        actors[a].pc = .h0Lock
    }

    mutating func stepRecover(_ a: Int) {
        switch actors[a].pc {
        case .h0Lock:
            slotsLockHolder = UInt8(a)
            let o = containers[Int(active)].slot[Int(actors[a].slotID)]
            actors[a].slotObj = o
            // WARN if dirty logging is enabled on the slot: nothing to recover.
            if o == none8 || objs[Int(o)].flags & MemslotFlag.dirtyLog != 0 {
                actors[a].pc = .h6Unlock
            } else {
                actors[a].cursor = UInt8(Int(objs[Int(o)].base) / Cap.hugePages)
                actors[a].pc = .h1Lock
            }

        case .h1Lock:
            readLock()                        // H1 lockdep_assert_held_read(&kvm->mmu_lock)
            actors[a].found = true
            actors[a].pc = .h2Block

        case .h2Block:
            let s = objs[Int(actors[a].slotObj)]
            let b = Int(actors[a].cursor)
            recoverBlock(a, b)
            let next = b + 1
            if next * Cap.hugePages >= Int(s.base) + Int(s.npages) { actors[a].pc = .h6Unlock }
            else { actors[a].cursor = UInt8(next) }

        case .h6Unlock:
            // H6 read_unlock; kvm_flush_remote_tlbs_memslot(); (caller) mutex_unlock(slots_lock)
            if actors[a].found { readUnlock() }
            actors[a].found = false
            actors[a].slotObj = none8
            slotsLockHolder = none8
            actors[a].pc = .idle

        default:
            break
        }
    }

    /// H2-H5 for one 2M range: only over a non-leaf SPTE, fully inside the slot; the level from
    /// kvm_mmu_max_mapping_level() (lpage_info + host_pfn_mapping_level()); the huge SPTE built
    /// from a present leaf child (tdp_mmu_make_huge_spte), else skipped.
    private mutating func recoverBlock(_ a: Int, _ b: Int) {
        let o = actors[a].slotObj
        // for_each_valid_tdp_mmu_root(): invalid roots are not recovered.
        let r = validRoot
        guard r >= 0 else { return }
        let leaf = roots[r].leaf
        guard roots[r].hasPT & (1 << UInt8(b)) != 0, !roots[r].huge[b].present, hugeAllowed(o, block: b) else { return }
        let s = objs[Int(o)]
        let g0 = b * Cap.hugePages
        var child = -1
        for i in 0..<Cap.hugePages where leaf[g0 + i].present { child = g0 + i; break }
        var pfn: UInt16, hva: UInt8, priv: Bool
        var tracked = false, nx = false
        if child >= 0 {
            // make_huge_spte(): the child's bits (access tracking too), not executable when the
            // NX huge page mitigation is on.
            tracked = leaf[child].accessTracked
            nx = leaf[child].nx || (!adBits && nxHugePages)
            priv = leaf[child].isPrivate
            pfn = leaf[child].pfn & ~UInt16(Cap.hugePages - 1)
            hva = leaf[child].hva & ~UInt8(Cap.hugePages - 1)
        } else if variant == .recoverHugeWithoutLeaf {
            // The bug: no leaf to vouch that no invalidation is in flight; read the host instead.
            priv = isPrivate(g0)
            hva = UInt8(s.hva(of: g0))
            pfn = host[Int(hva)].pfn & ~UInt16(Cap.hugePages - 1)
            if !priv && host[Int(hva)].pfn == 0 { return }
        } else {
            return
        }
        // kvm_mmu_max_mapping_level(): for private memory, and any memory of a gmem-only slot,
        // kvm_gmem_max_mapping_level() (no fault here: WARN_ONCE and 4K, never huge); for shared
        // memory host_pfn_mapping_level().
        if priv || s.flags & MemslotFlag.gmemOnly != 0 || !isHostHuge(hva: Int(hva)) { return }
        installHuge(root: r, block: b, isPrivate: priv, pfn: pfn, hva: hva, incarnation: s.incarnation,
                    accessTracked: tracked, nx: nx)
    }
}
