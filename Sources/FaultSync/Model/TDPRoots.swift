/// TDP MMU roots (arch/x86/kvm/mmu/tdp_mmu.c): each root has its own SPTEs. At most one root is
/// valid (every vCPU of the model has the same role); kvm_mmu_zap_all_fast() invalidates it, and
/// invalid roots keep their SPTEs until kvm_tdp_mmu_zap_invalidated_roots() zaps them (under the
/// read lock, with yields) and their last reference is put.
public enum RootState: UInt8 { case free, valid, invalid }

/// `struct kvm_mmu_page` of a TDP MMU root, with the tree below it flattened to the model's two
/// levels: 4K leaves and 2M leaves; `hasPT` bit b: a non-leaf page table for gfn block b.
public struct Root: Equatable {
    public var state: RootState = .free
    /// tdp_mmu_root_count: one per vCPU that loaded it, plus the TDP MMU's own reference while
    /// valid, which kvm_tdp_mmu_invalidate_roots() hands to the zapper.
    public var refs: UInt8 = 0
    /// root->tdp_mmu_scheduled_root_to_zap
    public var scheduledToZap = false
    public var hasPT: UInt8 = 0
    /// Bit b: the page table of block b has sp->nx_huge_page_disallowed (made by a fault that
    /// could not map huge because of the NX huge page mitigation).
    public var nxDisallowed: UInt8 = 0
    public var leaf = InlineArray<32, SPTE>(repeating: SPTE())
    public var huge = InlineArray<8, SPTE>(repeating: SPTE())

    public static func == (l: Root, r: Root) -> Bool {
        guard l.state == r.state, l.refs == r.refs, l.scheduledToZap == r.scheduledToZap, l.hasPT == r.hasPT,
              l.nxDisallowed == r.nxDisallowed else { return false }
        for i in 0..<Cap.gfns where l.leaf[i] != r.leaf[i] { return false }
        for i in 0..<Cap.blocks where l.huge[i] != r.huge[i] { return false }
        return true
    }

    /// Whether any SPTE (leaf or page table) is present.
    public var isEmpty: Bool {
        if hasPT != 0 { return false }
        for i in 0..<Cap.blocks where huge[i].present { return false }
        for i in 0..<Cap.gfns where leaf[i].present { return false }
        return true
    }
}

extension World {
    /// The valid root's index, or -1.
    @inline(__always) public var validRoot: Int {
        for r in 0..<Cap.roots where roots.at(r).state == .valid { return r }
        return -1
    }

    /// The current valid root's 4K leaves (all absent when there is no valid root): what a vCPU
    /// that reloads now would map through. For tests and tools.
    public var leaf: InlineArray<32, SPTE> { let r = validRoot; return r >= 0 ? roots[r].leaf : InlineArray(repeating: SPTE()) }
    public var huge: InlineArray<8, SPTE> { let r = validRoot; return r >= 0 ? roots[r].huge : InlineArray(repeating: SPTE()) }

    /// Whether root `r` is obsolete: is_obsolete_sp() -> role.invalid.
    @inline(__always) func rootIsObsolete(_ r: UInt8) -> Bool {
        r == none8 || roots[Int(r)].state != .valid
    }

    /// kvm_mmu_reload() -> kvm_mmu_load() -> kvm_tdp_mmu_alloc_root(): reuse the valid root, or
    /// allocate one (refcount 2: the vCPU's and the TDP MMU's). Returns none8 when the model's
    /// root pool is exhausted (the load fails with -ENOMEM).
    mutating func loadRoot(_ a: Int) -> UInt8 {
        var r = validRoot
        if r < 0 {
            for i in 0..<Cap.roots where roots[i].state == .free { r = i; break }
            guard r >= 0 else { return none8 }
            roots[r] = Root()
            roots[r].state = .valid
            roots[r].refs = 1
        }
        roots[r].refs += 1
        actors[a].root = UInt8(r)
        return UInt8(r)
    }

    /// kvm_tdp_mmu_put_root(): the last reference frees the root (KVM_BUG_ON if it is valid).
    mutating func putRoot(_ r: UInt8) {
        guard r != none8, roots[Int(r)].refs > 0 else { return }
        roots[Int(r)].refs -= 1
        if roots[Int(r)].refs == 0 {
            if roots[Int(r)].state == .valid { fail(.kernelBug, .bugPutValidRoot, actor: -1, Int64(r)) }
            mapDirty = true
            // Its page tables go with it (tdp_mmu_zap_root before the free: tdp_mmu_unlink_sp).
            for b in 0..<Cap.blocks where roots[Int(r)].hasPT & (1 << UInt8(b)) != 0 { unlinkPT(root: Int(r), block: b) }
            roots[Int(r)] = Root()
            // list_del_rcu(&root->link): a zap walk in progress no longer finds it on
            // kvm->arch.tdp_mmu_roots, and a root allocated later at this index goes to the
            // list's head, behind the walk (`zapStep`): drop it from every walker's roots left.
            // Only the host-mm, attribute, guest_memfd and memslot actors walk; where their
            // `zapRootsLeft` is kept holds nothing else (0 when they are not walking).
            for w in 0..<Cap.actors where actors[w].kind.walksRoots {
                actors[w].zapRootsLeft &= ~(1 << r)
                // A page aging walk (AG2) on this root walks it no further (RCU kept the
                // kernel's tables, every entry zapped: nothing young left there).
                if actors[w].kind == .mm && (actors[w].pc == .ag2Age || actors[w].pc == .ag2Mark) && actors[w].zapRoot == r {
                    actors[w].zapRoot = none8
                }
            }
        }
    }

    /// R1-R5 of kvm_mmu_zap_all_fast(), with mmu_lock held for write:
    /// kvm_tdp_mmu_invalidate_roots() marks every valid root invalid and schedules it for the
    /// zap (its TDP MMU reference goes to the zapper), in the same critical section as
    /// kvm_make_all_cpus_request(KVM_REQ_MMU_FREE_OBSOLETE_ROOTS).
    /// kvm_make_all_cpus_request(KVM_REQ_MMU_FREE_OBSOLETE_ROOTS): "Notify all vcpus to reload
    /// its shadow page table and flush TLB" -- every vCPU leaves guest mode now and flushes as it
    /// loads a new root, so no TLB translation made before survives (`tlbStale` cleared).
    mutating func invalidateRoots() {
        for r in 0..<Cap.roots where roots[r].state == .valid {
            roots[r].state = .invalid
            roots[r].scheduledToZap = true
        }
        tlbFlushAll()
        mapDirty = true
    }

    /// One step of kvm_tdp_mmu_zap_invalidated_roots() (R6, mmu_lock held for read) on the first
    /// scheduled root: tdp_mmu_zap_root() zaps in passes of decreasing granularity (8ca983631f3c,
    /// "Zap invalidated TDP MMU roots at 4KiB granularity"): `__tdp_mmu_zap_root(PG_LEVEL_4K)`
    /// zaps every 4K leaf, one per step; then `(PG_LEVEL_2M)` every 2M entry, a huge SPTE or a
    /// page table (unlinked and freed with whatever is under it), one per step; the 1G and
    /// top-level passes zap the upper page tables, which the model does not have. When the root
    /// is empty, the step clears its schedule and puts the zapper's reference. Returns false
    /// when no scheduled root is left.
    ///
    /// The walk's position is not kept: nothing adds an SPTE to an invalid root (a fault that
    /// would is the oracle `installObsoleteRoot`; the eager split and the huge page recovery walk
    /// roots that were valid when they took them, under slots_lock, which R6's caller holds
    /// until R6 is done), so "the first present entry of the pass" is where the kernel's iterator
    /// goes next. A yield point
    /// (`tdp_mmu_iter_cond_resched()`) lies between any two zaps of a pass (after a zap the
    /// iterator steps sideways, which is progress) and between the passes (the 4K pass goes on
    /// past the last leaf); the caller drops the read lock after each step. (A
    /// CONFIG_KVM_PROVE_MMU kernel skips the 4K and 2M passes and zaps the model's whole root in
    /// its 1G pass, without a yield point inside: R6's steps run back to back are that run.) The kernel clears `tdp_mmu_scheduled_root_to_zap` before the
    /// zap rather than with the put: only R6 reads it, and one R6 runs at a time (slots_lock; the
    /// other caller, kvm_mmu_uninit_tdp_mmu() at VM destruction, is not modelled).
    mutating func zapInvalidatedRootsStep() -> Bool {
        for r in 0..<Cap.roots where roots[r].scheduledToZap {
            // The 4K pass.
            for g in 0..<mappedGfns where roots[r].leaf[g].present {
                roots[r].leaf[g] = SPTE()
                mapDirty = true
                return true
            }
            // The 2M pass: a page table has no present leaf left by now, but may hold MMIO SPTEs
            // (not shadow-present: the 4K pass skips them); they go with the table.
            for b in 0..<mappedBlocks where roots[r].huge[b].present || roots[r].hasPT & (1 << UInt8(b)) != 0 {
                roots[r].huge[b] = SPTE()
                for i in 0..<Cap.hugePages { roots[r].leaf[b * Cap.hugePages + i] = SPTE() }
                unlinkPT(root: r, block: b)
                mapDirty = true
                return true
            }
            roots[r].scheduledToZap = false
            putRoot(UInt8(r))
            return true
        }
        return false
    }

    /// Whether kvm_tdp_mmu_zap_invalidated_roots() has anything left to do.
    @inline(__always) var anyRootScheduledToZap: Bool {
        for r in 0..<Cap.roots where roots[r].scheduledToZap { return true }
        return false
    }
}
