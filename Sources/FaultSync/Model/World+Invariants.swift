/// The oracles. Each is a named check over the model state and its ghosts; none reads the variant.
extension World {
    /// Checked after every step.
    @inline(__always) public mutating func checkStep() {
        guard violation == nil else { return }
        guard mapDirty || ctrDirty else { return }
        // Oracles run after the step: they report the step that just ran (`now` has moved on).
        now &-= 1
        if mapDirty { mapDirty = false; checkSptesAgreeWithHost() }
        if ctrDirty { ctrDirty = false; checkCounters(); checkRangeCoverage() }
        now &+= 1
    }

    /// Checked when every actor has finished.
    /// `bookkeeping: false` (the signal test of a liveness verdict): only what the hang's end must
    /// leave clean, not the NX page counts, which a step before the hang may have left wrong.
    public mutating func checkQuiescent(bookkeeping: Bool = true) {
        guard violation == nil else { return }
        mapDirty = true
        ctrDirty = true
        checkStep()
        if violation == nil && (inProgress != 0 || mnActive != 0) {
            fail(.counterBalance, .notQuiescent, actor: -1, inProgress, Int64(mnActive))
            violation?.step = now &- 1       // after the last step
        }
        // possible_nx_huge_pages[t].nr_pages is the number of pages on list t (the model's
        // pages are all TDP MMU pages; the shadow MMU's list is empty).
        if bookkeeping && violation == nil && (nxPagesTDP != nxCount || nxPagesShadow != 0) {
            fail(.counterBalance, .nxPagesMismatch, actor: -1,
                 Int64(nxPagesTDP) << 8 | Int64(nxCount), Int64(Int8(bitPattern: nxPagesShadow)))
            violation?.step = now &- 1
        }
    }

    /// I6 + I11: every present SPTE maps a live page that the host still maps at the hva it was
    /// looked up through (at a level at least as large), and agrees with the gfns' attributes.
    mutating func checkSptesAgreeWithHost() {
        // APICv inhibited and kvm_zap_gfn_range() done: no valid root (what a vCPU can enter
        // the guest with) maps the APIC access page (the fault's "APICv active" read was stale).
        if apicvInhibited && !apicZapPending {
            for r in 0..<Cap.roots where roots[r].state == .valid && roots[r].leaf[apicGfn].present {
                fail(.staleCommit, .apicMappedWhileInhibited, actor: -1, Int64(apicGfn), Int64(r)); return
            }
        }
        // The gfn_to_pfn_cache: while kvm_gpc_check() would pass, the cached pfn is the page
        // the host maps at uhva, and live (the cache holds no reference: the notifier's
        // invalidation, before the PTE changes, is its only protection).
        if gpcCheck() {
            let h = Int(gpc.uhva)
            if h < hvaCount && (isFreed(gpc.pfn) || host[h].pfn != gpc.pfn) {
                fail(.staleCommit, .gpcStale, actor: -1, Int64(gpc.pfn), Int64(host[h].pfn) << 8 | Int64(h)); return
            }
        }
        for r in 0..<Cap.roots where roots[r].state != .free {
            checkSptesAgreeWithHost(root: r)
            if violation != nil { return }
        }
    }

    /// I6 + I11 for one root (invalid roots too: their SPTEs are still reachable by the zapper
    /// and the MMU notifier, and a page freed under them is a use-after-free).
    mutating func checkSptesAgreeWithHost(root r: Int) {
        let blocks = mappedBlocks
        for b in 0..<blocks where roots[r].huge[b].present {
            let s = roots[r].huge[b]
            let g0 = b * Cap.hugePages
            let bits = (privateGfns >> UInt32(g0)) & 0xF
            if s.isPrivate ? bits != 0xF : bits != 0 {
                fail(.attributeMismatch, .kindMismatch, actor: -1, Int64(g0), s.isPrivate ? 1 : 0); return
            }
            if s.isPrivate {
                for i in 0..<Cap.hugePages where gmemPfn[g0 + i] != s.pfn + UInt16(i) || isFreed(s.pfn + UInt16(i)) {
                    fail(.staleCommit, .spteGmemStale, actor: -1, Int64(g0 + i) | Int64(r) << 8,
                         Int64(s.pfn + UInt16(i)) | Int64(gmemPfn[g0 + i]) << 16); return
                }
                continue
            }
            for i in 0..<Cap.hugePages {
                let h = Int(s.hva) + i
                let p = s.pfn + UInt16(i)
                if isFreed(p) { fail(.staleCommit, .sptePfnFreed, actor: -1, Int64(g0 + i), Int64(p)); return }
                if host[h].pfn != p {
                    fail(.staleCommit, .spteHostMismatch, actor: -1, Int64(g0 + i) | Int64(r) << 8 | Int64(host[h].changedAt) << 16,
                         Int64(p) << 16 | Int64(h) | Int64(host[h].pfn) << 32); return
                }
            }
            if !isHostHuge(hva: Int(s.hva)) { fail(.staleCommit, .spteHostLevel, actor: -1, Int64(g0), Int64(s.hva)); return }
        }
        for g in 0..<mappedGfns where roots[r].leaf[g].present {
            let s = roots[r].leaf[g]
            if s.isPrivate != isPrivate(g) {
                fail(.attributeMismatch, .kindMismatch, actor: -1, Int64(g), s.isPrivate ? 1 : 0); return
            }
            if s.fromGmem {
                // A private SPTE (or a shared one of a gmem-only slot) maps the guest_memfd
                // folio at its index, not a truncated one.
                if gmemPfn[g] != s.pfn || isFreed(s.pfn) {
                    fail(.staleCommit, .spteGmemStale, actor: -1, Int64(g) | Int64(r) << 8, Int64(s.pfn) | Int64(gmemPfn[g]) << 16); return
                }
                continue
            }
            if isFreed(s.pfn) { fail(.staleCommit, .sptePfnFreed, actor: -1, Int64(g), Int64(s.pfn)); return }
            if host[Int(s.hva)].pfn != s.pfn {
                fail(.staleCommit, .spteHostMismatch, actor: -1, Int64(g) | Int64(r) << 8 | Int64(host[Int(s.hva)].changedAt) << 16,
                     Int64(s.pfn) << 16 | Int64(s.hva) | Int64(host[Int(s.hva)].pfn) << 32); return
            }
        }
    }

    /// I1/I2: in_progress equals the invalidations between begin and end and is never negative;
    /// mn_active_invalidate_count equals the notifiers between N1 and N6.
    mutating func checkCounters() {
        var counted: Int64 = 0, notifiers: Int32 = 0
        for i in 0..<Cap.actors {
            if actors[i].counted { counted += 1 }
            if actors[i].kind == .mm && actors[i].pc.rawValue > PC.n1Count.rawValue
                && actors[i].pc.rawValue <= PC.n6Uncount.rawValue { notifiers += 1 }
        }
        if inProgress < 0 { fail(.counterBalance, .inProgressNegative, actor: -1, inProgress); return }
        if inProgress != counted { fail(.counterBalance, .inProgressMismatch, actor: -1, inProgress, counted); return }
        if mnActive != notifiers { fail(.counterBalance, .mnCountMismatch, actor: -1, Int64(mnActive), Int64(notifiers)) }
    }

    /// I3: [range_start, range_end) covers every range added by an in-flight invalidation, and is
    /// set whenever in_progress > 0 (checked where mmu_lock is not held for write).
    mutating func checkRangeCoverage() {
        let rs = Int64(rangeStart), re = Int64(rangeEnd)
        for i in 0..<Cap.actors where actors[i].counted && actors[i].addedLo != invalidGfn {
            let lo = Int64(actors[i].addedLo), hi = Int64(actors[i].addedHi)
            if rangeStart == invalidGfn || lo < rs || hi > re {
                fail(.rangeCoverage, .rangeNotCovered, actor: i, lo << 16 | hi, rs << 16 | re); return
            }
        }
        if mmuWriter == none8 && inProgress > 0 && rangeStart == invalidGfn {
            fail(.rangeCoverage, .rangeUnset, actor: -1, inProgress)
        }
    }
}
