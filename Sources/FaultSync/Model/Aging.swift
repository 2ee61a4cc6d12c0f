/// Page aging through KVM's MMU notifier (format v7): the host's reclaim / working-set tracking
/// calls clear_flush_young() on an hva range, and KVM answers in
/// kvm_mmu_notifier_clear_flush_young() -> kvm_age_hva_range() -> kvm_handle_hva_range() with
/// `.lockless = IS_ENABLED(CONFIG_KVM_MMU_LOCKLESS_AGING)` (x86 selects it), `on_lock` the null
/// function, `flush_on_ret` unless CONFIG_KVM_ELIDE_TLB_FLUSH_IF_YOUNG (x86 selects that too),
/// `may_block` false (virt/kvm/kvm_main.c). So: no mmu_lock, no mmu_invalidate_*, no
/// mn_active_invalidate_count -- only kvm->srcu around the memslot walk, and RCU around the
/// roots' walk. The handler, kvm_age_gfn() (arch/x86/kvm/mmu/mmu.c), with the TDP MMU and no
/// shadow pages: kvm_tdp_mmu_age_gfn_range() -> __kvm_tdp_mmu_age_gfn_range() walks the *valid*
/// roots (for_each_valid_tdp_mmu_root_rcu) over the slot's gfn range, and for each present leaf
/// that is young (is_accessed_spte()) calls kvm_tdp_mmu_age_spte(): with A/D bits an atomic clear
/// of the Accessed bit (which the model has no state for), without them
/// `mark_spte_for_access_track()` stored by `__tdp_mmu_set_spte_atomic()` (try_cmpxchg64 against
/// the value the walk read; on failure nothing is retried: "the spte is most likely young anyway").
///
/// Run by an idle host-mm actor (mm0, else mm1), like the other host operations, AG1-AG3:
/// - AG1 srcu_read_lock; slots = __kvm_memslots(); the first memslot the range hits (in the
///   walk order of the notifier, `nextHit`); none: srcu_read_unlock at once.
/// - AG2 the handler on that memslot: its start reads range->slot (its as_id) and takes the
///   valid root; then, without A/D bits, each AG2 step reads the next young leaf of that root in
///   the slot's gfn range (tdp_root_for_each_leaf_pte, is_accessed_spte()) and AG2b marks it:
///   try_cmpxchg64 against the value read, in the entry of the page table linked now (the
///   kernel's is on the entry it read, which a table unlinked meanwhile has frozen: either way it
///   fails unless the entry still holds that value); a failed cmpxchg leaves the SPTE as it is
///   and the walk goes on. With A/D bits the walk clears Accessed bits (atomically), which the
///   model has no state for: one AG2 step per memslot. When the range has no young leaf left,
///   the walk moves to the next memslot. A root whose last reference is put meanwhile
///   (`putRoot`) is walked no further: the kernel walks its RCU-protected tables, every entry
///   already zapped.
/// - AG3 srcu_read_unlock. (`flush_on_ret` is !IS_ENABLED(CONFIG_KVM_ELIDE_TLB_FLUSH_IF_YOUNG),
///   which x86 selects: no flush, as clear_young() has none.)
/// test_young() changes no SPTE and holds kvm->srcu the same way. Aging in the host runs only on
/// mapped host PTEs, under their page-table lock (and reclaim skips unevictable folios, such as
/// guest_memfd's); the model lets it run on any hva range at any time (more interleavings, never
/// fewer).
extension World {
    mutating func startAge(_ a: Int, lo: Int, count: Int) {
        actors[a].hostOp = .age
        actors[a].lo = UInt8(lo)
        actors[a].hi = UInt8(min(lo + count, hvaCount))
        actors[a].found = false
        actors[a].pc = .ag1Walk
    }

    mutating func stepAging(_ a: Int) {
        switch actors[a].pc {
        case .ag1Walk:
            // Variant age-without-srcu: the memslot walk outside kvm->srcu.
            if variant != .ageWithoutSrcu { srcuLock(a) }
            actors[a].container = active
            let id = nextHit(a, after: -1)
            if id < 0 { finishAge(a); return }              // no memslot: srcu_read_unlock
            enterAgeSlot(a, id)

        case .ag2Age:
            ageStep(a)

        case .ag2Mark:
            ageMark(a)

        case .ag3Done:
            finishAge(a)

        default:
            break
        }
    }

    /// The walk reaches memslot `id` of the set it dereferenced: kvm_handle_hva_range() computes
    /// its gfn range; the handler has not started yet (`zapRoot` unstarted).
    private mutating func enterAgeSlot(_ a: Int, _ id: Int) {
        let c = Int(actors[a].container)
        let o = containers[c].slot[id]
        deref(a, o)
        actors[a].cursor = UInt8(id)
        actors[a].slotObj = o
        let (gs, ge) = hvaToGfnRange(container: c, id: id, Int(actors[a].lo), Int(actors[a].hi)) ?? (0, 0)
        actors[a].zapPos = UInt8(gs)
        actors[a].zapEnd = UInt8(ge)
        actors[a].zapRoot = ZapWalk.unstarted
        actors[a].pc = .ag2Age
    }

    /// One AG2 step: start the handler (range->slot, the valid root) if it has not started, then
    /// age the next young leaf, or move to the next memslot when none is left.
    private mutating func ageStep(_ a: Int) {
        // The handler reads range->slot->as_id; under variant age-without-srcu the slot may be
        // freed by now.
        deref(a, actors[a].slotObj)
        if actors[a].zapRoot == ZapWalk.unstarted {
            let v = validRoot
            actors[a].zapRoot = v >= 0 ? UInt8(v) : none8
        }
        let r = Int(actors[a].zapRoot)
        if !adBits && r < Cap.roots {
            var g = Int(actors[a].zapPos)
            let end = Int(actors[a].zapEnd)
            while g < end && g < Cap.gfns {
                let b = g / Cap.hugePages
                let huge = roots[r].huge[b]
                if huge.present {
                    let next = min((b + 1) * Cap.hugePages, end)
                    if !huge.accessTracked {
                        ageLeaf(a, root: r, entry: Cap.gfns + b, huge)
                        actors[a].zapPos = UInt8(next)
                        return
                    }
                    g = next
                    continue
                }
                if roots[r].hasPT & (1 << UInt8(b)) != 0 {
                    let s = roots[r].leaf[g]
                    if s.present && !s.accessTracked {
                        ageLeaf(a, root: r, entry: g, s)
                        actors[a].zapPos = UInt8(g + 1)
                        return
                    }
                }
                g += 1
            }
        }
        // This memslot is done (with A/D bits: the Accessed bits cleared, state the model does not
        // keep): the next one the range hits, or the end of the walk.
        let next = nextHit(a, after: Int(actors[a].cursor))
        if next < 0 {
            actors[a].pc = .ag3Done
        } else {
            enterAgeSlot(a, next)
        }
    }

    /// AG2 without A/D bits: the young leaf (entry `e`: a gfn, or Cap.gfns + block for a 2M SPTE)
    /// read; AG2b marks it.
    private mutating func ageLeaf(_ a: Int, root r: Int, entry e: Int, _ s: SPTE) {
        actors[a].found = true                                  // young
        actors[a].pfn = s.pfn
        actors[a].a3 = s.hva
        actors[a].mmuSeq = UInt64(s.bits) | UInt64(s.incarnation) << 16 | UInt64(s.mmioGen) << 24
        actors[a].phase = UInt8(e + 1)
        actors[a].pc = .ag2Mark
    }

    /// AG2b kvm_tdp_mmu_age_spte() without A/D bits: __tdp_mmu_set_spte_atomic(kvm, iter,
    /// mark_spte_for_access_track(iter->old_spte)), a try_cmpxchg64 against the value AG2 read
    /// ("It is safe for the following cmpxchg to fail": no retry). Variant age-plain-write: the
    /// marked value stored whatever the entry holds now (over a page table linked in between the
    /// model has no entry to write: nothing happens there).
    private mutating func ageMark(_ a: Int) {
        let r = Int(actors[a].zapRoot)
        let e = Int(actors[a].phase) - 1
        var old = SPTE(pfn: actors[a].pfn, hva: actors[a].a3, incarnation: UInt8(truncatingIfNeeded: actors[a].mmuSeq >> 16),
                       mmioGen: UInt16(truncatingIfNeeded: actors[a].mmuSeq >> 24))
        old.bits = UInt16(truncatingIfNeeded: actors[a].mmuSeq)
        actors[a].phase = 0; actors[a].pfn = 0; actors[a].a3 = 0; actors[a].mmuSeq = 0
        actors[a].pc = .ag2Age
        guard r < Cap.roots, e >= 0 else { return }             // the root is gone (putRoot)
        let huge = e >= Cap.gfns
        let b = huge ? e - Cap.gfns : e / Cap.hugePages
        let linked = huge ? roots[r].hasPT & (1 << UInt8(b)) == 0 : roots[r].hasPT & (1 << UInt8(b)) != 0
        guard linked else { return }
        var marked = old
        marked.accessTracked = true
        if variant != .agePlainWrite {
            let cur = huge ? roots[r].huge[b] : roots[r].leaf[e]
            guard cur.sameValue(old) else { return }            // the cmpxchg fails
            marked = cur
            marked.accessTracked = true
        }
        mapDirty = true
        if huge { roots[r].huge[b] = marked } else { roots[r].leaf[e] = marked }
    }

    /// AG3 (or AG1 with no memslot hit): srcu_read_unlock; the record goes back to idle.
    private mutating func finishAge(_ a: Int) {
        if variant != .ageWithoutSrcu { srcuUnlock(a) }
        actors[a].container = none8
        actors[a].slotObj = none8
        actors[a].cursor = 0
        actors[a].found = false
        actors[a].zapPos = 0
        actors[a].zapEnd = 0
        actors[a].zapRoot = 0
        actors[a].lo = 0
        actors[a].hi = 0
        actors[a].a0 = 0
        actors[a].pc = .idle
    }
}
