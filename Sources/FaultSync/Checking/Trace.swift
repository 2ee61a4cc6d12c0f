/// One line of a trace: an event or an atomic step with what it changed.
public struct TraceEntry: Sendable {
    public var step: Int            // 1-based step number (0 for events)
    public var event: Int           // schedule event index (-1 while draining)
    public var actor: Int
    public var label: String        // step label (F8, N3d, ...) or "event"
    public var what: String         // kernel function / event text
    public var effect: String
    /// Where the variant's deviation acts: what the correct kernel would have done at this step
    /// instead (empty when the variant changes nothing here, and always under `none`).
    public var deviation: String = ""
}

/// Records the trace of a run (replay and CLI only; never used while fuzzing).
public struct TraceRecorder: StepObserver {
    public var entries: [TraceEntry] = []
    var before: World? = nil
    var pcBefore: PC = .idle
    var currentEvent = -1
    var steps = 0
    public var draining = false

    public init() {}

    public mutating func event(_ index: Int, _ e: Event, accepted: Bool, world: World) {
        currentEvent = index
        if e.kind == .step { return }
        entries.append(TraceEntry(step: 0, event: index, actor: -1, label: "event",
                                  what: e.text, effect: e.kind == .signal
                                      ? (accepted ? "signal pending" : "ignored: vcpu\(e.x) is not in an ioctl")
                                      : (accepted ? "started" : "ignored: actor busy")))
    }

    public mutating func drainStarts(world: World) {
        draining = true
        entries.append(TraceEntry(step: 0, event: -1, actor: -1, label: "drain", what: "end of schedule: the unfinished actors run round-robin", effect: ""))
    }

    public mutating func willStep(_ actor: Int, world: World) {
        before = world
        pcBefore = world.actors[actor].pc
    }

    public mutating func didStep(_ actor: Int, world: World) {
        steps += 1
        guard let b = before else { return }
        var e = TraceEntry(step: steps, event: currentEvent, actor: actor, label: pcBefore.label,
                           what: pcBefore.kernelName, effect: Self.diff(b, world, actor: actor))
        e.deviation = Self.deviation(b, world, actor: actor)
        entries.append(e)
        before = nil
    }

    /// Whether the variant acted at this step: the same step taken from the same state by the
    /// correct model (variant none) ends in a different state, or could not be taken at all.
    /// Returns what the correct kernel would have done, or "".
    static func deviation(_ before: World, _ after: World, actor a: Int) -> String {
        guard before.variant != .none else { return "" }
        var c = before
        c.variant = .none
        let who = actorNames[a]
        guard c.runnable(a) else {
            switch before.actors[a].pc {
            case .wSync:
                let r = c.readerBefore(before.actors[a].syncFrom)
                return "SKIPPED by variant \(before.variant.name): synchronize_srcu_expedited() would still wait for \(r >= 0 ? actorNames[r] : "a reader"), inside SRCU"
            case .wSwap:
                return "SKIPPED by variant \(before.variant.name): kvm_swap_active_memslots() would still wait for mn_active_invalidate_count \(before.mnActive) to drop to 0"
            default:
                return "SKIPPED by variant \(before.variant.name): \(who) would still be blocked here"
            }
        }
        c.step(a)
        c.checkStep()
        var x = after
        x.variant = .none
        guard c.canonicalWords() != x.canonicalWords() else { return "" }
        let correct = diff(before, c, actor: a)
        return "variant \(before.variant.name) acts here; the correct kernel: \(correct.isEmpty ? "changes nothing" : correct)\(c.actors[a].pc != after.actors[a].pc ? ", next \(c.actors[a].pc.label)" : "")"
    }

    /// What a step changed, in kernel terms.
    static func diff(_ a: World, _ b: World, actor: Int) -> String {
        var out: [String] = []
        let x = a.actors[actor], y = b.actors[actor]
        if x.srcuStart == 0 && y.srcuStart != 0 { out.append("srcu_read_lock") }
        if x.srcuStart != 0 && y.srcuStart == 0 { out.append("srcu_read_unlock") }
        if x.retries != y.retries && x.kind == .vcpu { out.append("stale -> RET_PF_RETRY (#\(y.retries))") }
        if x.root != y.root {
            out.append(y.root == none8 ? "put root r\(x.root)" : x.kind == .memslot ? "get root r\(y.root)" : "root r\(y.root) loaded")
        }
        if x.pc == .f8Stale && x.retries != y.retries && a.rootIsObsolete(x.root) {
            out.append("root r\(x.root) is obsolete (role.invalid)")
        }
        // (KVM_RUN tests signal_pending() at F0 only, before re-entering the guest.)
        let interrupted = x.signalPending && y.pc == .idle
            && (x.pc == .f0SrcuLock || x.pc == .p0Reload || (x.pc == .f1Memslot && x.isPrefault))
        if interrupted { out.append("signal_pending: -EINTR\(x.isPrefault ? "" : " (KVM_EXIT_INTR)")") }
        // handle_mmio_page_fault() at F1 (KVM_RUN, the access hit an MMIO SPTE of its root)
        let mmioGen = x.pc == .f1Memslot && !interrupted && !x.isPrefault && y.root != none8 && Int(x.gfn) < Cap.gfns
            ? b.roots[Int(y.root)].leaf[Int(x.gfn)].mmioGen : 0
        if mmioGen != 0 && y.pc == .idle {
            out.append("MMIO SPTE of generation \(mmioGen - 1) accepted (check_mmio_spte): emulated as MMIO")
        } else if x.pc == .f1Memslot && !interrupted {
            if mmioGen != 0 { out.append("MMIO SPTE of generation \(mmioGen - 1) refused (check_mmio_spte): RET_PF_INVALID") }
            out.append(y.slotObj == none8 ? "no memslot" : "slot obj\(y.slotObj)\(b.objs[Int(y.slotObj)].flags & MemslotFlag.invalid != 0 ? " (INVALID)" : "")")
            if b.variant == .hostWalkDoubleRead && y.slotObj != none8 && y.pc != .idle {
                out.append("(variant) first host PMD read: \(y.firstPMDHuge ? "huge" : "not huge")")
            }
        }
        if x.kind == .memslot && x.pc == .m1Prepare && x.memslotOp == .move && y.pc == .m3aInvalidate && y.newObj == none8 {
            out.append("new range ends past the last gfn (kvm_mmu_max_gfn()): its kvm_prepare_memory_region() will fail")
        }
        if x.kind == .memslot && x.pc == .m5Replace && a.revertsMove(actor) {
            out.append("kvm_prepare_memory_region() -EINVAL: revert, kvm_activate_memslot(invalid_slot, old)")
        }
        if (x.pc == .f6aSnapshot || x.pc == .f6aLateSnapshot) { out.append("mmu_seq = \(hexSeq(y.mmuSeq))") }
        if x.pc == .f6gLookup && y.pc != .idle && y.kind == .vcpu {
            out.append(y.isPrivateFault || y.hva == gmemHva ? "gmem pfn \(y.pfn)" : "hva \(y.hva) -> pfn \(y.pfn)")
        }
        if x.pc == .f8Stale && x.phase == 1 && x.retries == y.retries && y.pc != .idle {
            out.append("not stale: root r\(x.root) valid (no memslot: no mmu_invalidate_retry_gfn())")
        } else if (x.pc == .f6fPrecheck || x.pc == .f6iPrecheck || x.pc == .f8Stale) && x.retries == y.retries && y.pc != .idle {
            out.append("not stale: mmu_seq \(hexSeq(x.mmuSeq)), seq \(hexSeq(a.seq)), in_progress \(a.inProgress), range \(rangeText(a))")
        }
        if x.pc == .f6bChecks && y.pc == .idle {
            if x.slotObj != none8 && x.slotObj == b.apicObj && b.apicvInhibited {
                out.append("APIC access page, APICv inhibited: RET_PF_EMULATE")
            } else {
                out.append(y.isPrefault ? "-EAGAIN / exit to userspace" : "exit to userspace (attribute mismatch)")
            }
        }
        if (x.pc == .n3Zap || x.pc == .g3Zap || x.pc == .t4Zap || x.pc == .m3cZap) && x.kind != .vcpu {
            // kvm_tdp_mmu_unmap_gfn_range(): which root this step walked (World.zapStep).
            var w = x.zapRoot
            if w == ZapWalk.unstarted {
                let v = a.validRoot
                w = v >= 0 ? UInt8(v) : (0..<Cap.roots).first { a.roots[$0].state != .free }.map { UInt8($0) } ?? none8
            }
            var before = a
            let pos = Int(x.zapPos), stop = before.zapStepStop(w, pos, Int(x.zapEnd))
            if w == none8 {
                out.append("no root to walk")
            } else {
                out.append("walk r\(w)\(a.roots[Int(w)].state == .valid ? "" : " (invalid)") gfns [\(pos),\(stop))")
                if y.pc == x.pc && y.zapRoot != w && y.zapRoot != none8 {
                    let carried = y.tlbFlush & TLBFlush.local != 0 ? " (flush = true passed on)"
                        : y.tlbFlush & TLBFlush.earlierRoots != 0 ? " (flush = false: this root's zaps only ORed into the result)" : ""
                    out.append("next root r\(y.zapRoot) from gfn \(y.zapStart)\(carried)")
                }
            }
        }
        if x.kind == .mm && x.pc == .ag1Walk {
            if y.pc == .idle { out.append("no memslot in hva [\(x.lo),\(x.hi)): srcu_read_unlock") }
            else { out.append("slot \(y.cursor) (obj\(y.slotObj)): gfns [\(y.zapPos),\(y.zapEnd))") }
        }
        if x.kind == .mm && x.pc == .ag2Age {
            if x.zapRoot == ZapWalk.unstarted {
                let v = a.validRoot
                out.append(v < 0 ? "kvm_tdp_mmu_age_gfn_range: no valid root" : "kvm_tdp_mmu_age_gfn_range on the valid root r\(v)")
            }
            if y.pc == .ag2Mark {
                let e = Int(y.phase) - 1
                out.append("read a young \(e >= Cap.gfns ? "2M SPTE, block \(e - Cap.gfns)" : "4K SPTE, gfn \(e)") (pfn \(y.pfn)): mark it for access tracking")
            }
            else if y.pc == .ag3Done { out.append("no young leaf left: the memslot walk ends") }
            else if y.cursor != x.cursor || (x.zapRoot != ZapWalk.unstarted && y.zapRoot == ZapWalk.unstarted) {
                out.append("no young leaf left in slot \(x.cursor): next memslot \(y.cursor), gfns [\(y.zapPos),\(y.zapEnd))")
            }
        }
        if x.kind == .mm && x.pc == .ag2Mark {
            let changed = (0..<Cap.roots).contains { r in a.roots.at(r) != b.roots.at(r) }
            if b.variant == .agePlainWrite { out.append("(variant) plain store of the marked SPTE") }
            else if !changed { out.append("cmpxchg failed (the SPTE changed since AG2 read it): left as it is") }
            else { out.append("cmpxchg succeeded") }
        }
        if x.pc == .f1Memslot && y.pc == .f2FastWalk { out.append("fast_page_fault (no A/D bits)") }
        if x.pc == .f2FastWalk {
            if y.pc == .idle { out.append("the access is allowed: RET_PF_SPURIOUS") }
            else if y.pc == .f2FastFix { out.append("last SPTE \(y.level == 1 ? "2M" : "4K") pfn \(y.pfn), access-tracked: restore it") }
            else { out.append("no fix here (not present, or still not allowed): RET_PF_INVALID, the slow path") }
        }
        if x.pc == .f2FastFix {
            if y.pc == .idle { out.append(b.variant == .fastPfPlainWrite ? "(variant) plain store of the restored SPTE: RET_PF_FIXED" : "cmpxchg succeeded: RET_PF_FIXED") }
            else if y.pc == .f2FastWalk { out.append("cmpxchg failed (the SPTE changed): retry #\(y.fastRetries)") }
            else { out.append("cmpxchg failed, retry_count > 4: the slow path") }
        }
        if x.pc == .f10Adjust {
            if y.kind == .vcpu && y.hugePageDisallowed {
                out.append("level 4K (exec with nx_huge_pages: huge_page_disallowed; req_level \(y.nxFlags & NXFault.reqHuge != 0 ? "2M" : "4K"))")
            } else {
                out.append(y.level == 1 ? "level 2M" : "level 4K")
            }
        }
        if x.pc == .f11Install && x.level == 1 && y.level == 0 {
            out.append("disallowed_hugepage_adjust: a table made for an exec mapping is there: 4K")
        }
        if x.pc == .y1Pick && y.pc == .y3Unlock { out.append("possible_nx_huge_pages is empty") }
        if x.pc == .y2Zap {
            let name = a.nxWatch[2] & 0x7F, alive = a.nxWatch[2] & 0x80 != 0
            if !alive { out.append("table r\(name >> 3) gfn block \(name & 7) already gone: nothing to zap") }
            else if b.roots[Int(name >> 3)].hasPT & (1 << (name & 7)) != 0 { out.append("dirty-logged: not zapped") }
        }
        if x.pc == .f11Track && a.nxCount == b.nxCount { out.append("sp->nx_huge_page_disallowed is clear: not tracked") }
        if a.nxHugePages != b.nxHugePages { out.append("nx_huge_pages \(b.nxHugePages ? "on" : "off")") }
        if a.dirtyLogSlots != b.dirtyLogSlots { out.append("nr_memslots_dirty_logging \(a.dirtyLogSlots)->\(b.dirtyLogSlots)") }
        for r in 0..<Cap.roots {
            let added = b.roots[r].hasPT & ~a.roots[r].hasPT
            for k in 0..<Cap.blocks where added & (1 << UInt8(k)) != 0 {
                out.append("r\(r) page table for gfn block \(k) linked\(b.roots[r].nxDisallowed & (1 << UInt8(k)) != 0 ? " (nx_huge_page_disallowed)" : "")")
            }
            let removed = a.roots[r].hasPT & ~b.roots[r].hasPT
            for k in 0..<Cap.blocks where removed & (1 << UInt8(k)) != 0 {
                out.append("r\(r) page table for gfn block \(k) unlinked (handle_removed_pt, call_rcu)")
            }
        }
        if a.nxCount != b.nxCount || (0..<Int(a.nxCount)).contains(where: { a.nxList[$0] != b.nxList[$0] }) {
            let list = (0..<Int(b.nxCount)).map { "r\(b.nxList[$0] >> 3)/block \(b.nxList[$0] & 7)" }.joined(separator: ", ")
            out.append("possible_nx_huge_pages [\(list)]")
        }
        if a.nxPagesTDP != b.nxPagesTDP || a.nxPagesShadow != b.nxPagesShadow {
            var s = "nr_pages"
            if a.nxPagesTDP != b.nxPagesTDP { s += " TDP \(a.nxPagesTDP)->\(b.nxPagesTDP)" }
            if a.nxPagesShadow != b.nxPagesShadow { s += " shadow \(Int8(bitPattern: a.nxPagesShadow))->\(Int8(bitPattern: b.nxPagesShadow))" }
            out.append(s)
        }
        // The TLB ghost (I7): translations left by zaps of valid roots, and the flushes.
        var tlbAdded: [String] = [], tlbFlushed: [Int] = []
        for g in 0..<Cap.gfns where a.tlbStale[g] != b.tlbStale[g] {
            if b.tlbStale[g] != 0 { tlbAdded.append("gfn \(g) -> pfn \(b.tlbStale[g])") } else { tlbFlushed.append(g) }
        }
        if a.mmuWriter != none8 && World.isZapYield(a.actors[Int(a.mmuWriter)].pc)
            && !World.isZapYield(b.actors[Int(a.mmuWriter)].pc) && b.actors[Int(a.mmuWriter)].pc != a.actors[Int(a.mmuWriter)].pc
            && b.mmuWriter != a.mmuWriter {
            // World.yieldToWaiter: this step took mmu_lock from a walk at a yield point.
            out.append("\(actorNames[Int(a.mmuWriter)]) yields mmu_lock to it (tdp_mmu_iter_cond_resched: its `flush`, if set, is flushed first (the TLB flush listed next), then cond_resched_rwlock_write)")
        }
        if !tlbAdded.isEmpty { out.append("TLBs may still translate \(tlbAdded.joined(separator: ", ")) (no flush yet)") }
        if !tlbFlushed.isEmpty { out.append("TLB flush: gfns \(tlbFlushed.map(String.init).joined(separator: ","))") }
        if a.seq != b.seq { out.append("seq \(hexSeq(a.seq))->\(hexSeq(b.seq))") }
        if a.inProgress != b.inProgress { out.append("in_progress \(a.inProgress)->\(b.inProgress)") }
        if a.rangeStart != b.rangeStart || a.rangeEnd != b.rangeEnd {
            out.append("range \(rangeText(a))->\(rangeText(b))")
        }
        if a.mnActive != b.mnActive { out.append("mn_active_invalidate_count \(a.mnActive)->\(b.mnActive)") }
        if a.mmuWriter != b.mmuWriter { out.append(b.mmuWriter == none8 ? "mmu_lock write released" : "mmu_lock write held") }
        if a.mmuReaders != b.mmuReaders { out.append("mmu_lock readers \(a.mmuReaders)->\(b.mmuReaders)") }
        if a.slotsLockHolder != b.slotsLockHolder { out.append(b.slotsLockHolder == none8 ? "slots_lock released" : "slots_lock held") }
        for r in 0..<Cap.roots where a.roots[r].state != b.roots[r].state {
            switch b.roots[r].state {
            case .valid: out.append("root r\(r) allocated")
            case .invalid: out.append("root r\(r) invalidated (KVM_REQ_MMU_FREE_OBSOLETE_ROOTS)")
            case .free: out.append("root r\(r) freed")
            }
        }
        if a.active != b.active { out.append("memslots published: set \(a.active)->\(b.active)") }
        for c in 0..<2 where a.containers[c].slot[0] != b.containers[c].slot[0] || a.containers[c].slot[1] != b.containers[c].slot[1] || a.containers[c].slot[2] != b.containers[c].slot[2] {
            out.append("set \(c): \(containerText(b, c))")
        }
        for o in 0..<Cap.objects where a.objs[o] != b.objs[o] {
            let s = b.objs[o]
            if a.objs[o].state != s.state {
                out.append(s.state == .freed ? "freed slot obj\(o)" : "alloc slot obj\(o) id\(s.id) gfn [\(s.base),\(Int(s.base) + Int(s.npages))) hva \(s.uaddr)\(s.flags & MemslotFlag.invalid != 0 ? " INVALID" : "")")
            } else if a.objs[o].mixed != s.mixed {
                out.append("obj\(o) MIXED \(bits(s.mixed))")
            }
        }
        for h in 0..<b.hvaCount where a.host[h] != b.host[h] {
            out.append("host hva \(h): pfn \(a.host[h].pfn)->\(b.host[h].pfn)")
        }
        if a.hostHuge != b.hostHuge { out.append("host THP blocks \(bits16(a.hostHuge))->\(bits16(b.hostHuge))") }
        for r in 0..<Cap.roots where b.roots[r].state != .free || a.roots[r].state != .free {
            let ra = a.roots[r], rb = b.roots[r]
            for g in 0..<b.mappedGfns where ra.leaf[g] != rb.leaf[g] {
                if ra.leaf[g].present && rb.leaf[g].present && ra.leaf[g].pfn == rb.leaf[g].pfn
                    && ra.leaf[g].accessTracked && !rb.leaf[g].accessTracked {
                    out.append("r\(r) SPTE gfn \(g) restored (access tracking cleared)"); continue
                }
                out.append(rb.leaf[g].present ? "r\(r) SPTE gfn \(g) -> pfn \(rb.leaf[g].pfn)\(rb.leaf[g].isPrivate ? " private" : "")\(rb.leaf[g].accessTracked ? " (access-tracked)" : "")\(rb.leaf[g].nx ? " (NX)" : "")"
                    : rb.leaf[g].mmioGen != 0 ? "r\(r) MMIO SPTE gfn \(g) (generation \(rb.leaf[g].mmioGen - 1))" : "r\(r) zap gfn \(g)")
            }
            for k in 0..<b.mappedBlocks where ra.huge[k] != rb.huge[k] {
                let g0 = k * Cap.hugePages
                let split = ra.huge[k].present && !rb.huge[k].present && rb.hasPT & (1 << UInt8(k)) != 0
                if ra.huge[k].present && rb.huge[k].present && ra.huge[k].pfn == rb.huge[k].pfn
                    && ra.huge[k].accessTracked && !rb.huge[k].accessTracked {
                    out.append("r\(r) huge SPTE gfn [\(g0),\(g0 + Cap.hugePages)) restored (access tracking cleared)"); continue
                }
                out.append(rb.huge[k].present ? "r\(r) huge SPTE gfn [\(g0),\(g0 + Cap.hugePages)) -> pfn \(rb.huge[k].pfn)\(rb.huge[k].isPrivate ? " private" : "")\(rb.huge[k].accessTracked ? " (access-tracked)" : "")\(rb.huge[k].nx ? " (NX)" : "")"
                    : split ? "r\(r) huge SPTE gfn [\(g0),\(g0 + Cap.hugePages)) split" : "r\(r) zap huge gfn [\(g0),\(g0 + Cap.hugePages))")
            }
        }
        if a.apicvInhibited != b.apicvInhibited { out.append(b.apicvInhibited ? "APICv inhibited (KVM_REQ_APICV_UPDATE)" : "APICv activated") }
        if a.privateGfns != b.privateGfns { out.append("private gfns \(bits32(b.privateGfns, b.gfnCount))") }
        // guest_memfd
        if a.gmemInvalidateLock != b.gmemInvalidateLock {
            out.append(b.gmemInvalidateLock != none8 ? "filemap_invalidate_lock held" : "filemap_invalidate_lock released")
        }
        for g in 0..<b.gfnCount where a.gmemPfn[g] != b.gmemPfn[g] {
            out.append(b.gmemPfn[g] == 0 ? "gmem folio gfn \(g) (pfn \(a.gmemPfn[g])) truncated" : "gmem folio gfn \(g) = pfn \(b.gmemPfn[g])")
        }
        if !a.gmemDying && b.gmemDying { out.append("guest_memfd file refcount 0 (dying)") }
        for m in 2...3 where a.actors[m].pc == .idle && b.actors[m].pc != .idle
            && (b.actors[m].hostOp == .gmemTruncate || b.actors[m].hostOp == .gmemPoison) {
            out.append("mm\(m - 2): \(b.actors[m].hostOp == .gmemTruncate ? "unmap_mapping_folio" : "try_to_unmap") of the user mapping hva [\(b.actors[m].lo),\(b.actors[m].hi)) starts")
        }
        for g in 0..<b.gfnCount where (a.gmemPoison ^ b.gmemPoison) & (1 << UInt32(g)) != 0 && b.gmemPoison & (1 << UInt32(g)) != 0 {
            out.append("gmem folio gfn \(g) (pfn \(b.gmemPfn[g])) hardware-poisoned (PG_hwpoison)")
        }
        for g in 0..<b.gfnCount where (a.gmemPoisonHandled ^ b.gmemPoisonHandled) & (1 << UInt32(g)) != 0 && b.gmemPoisonHandled & (1 << UInt32(g)) != 0 {
            out.append("kvm_gmem_error_folio() returned for gfn \(g)")
        }
        if !a.gmemReleased && b.gmemReleased { out.append("guest_memfd released: slot->gmem.file = NULL") }
        for o in 0..<Cap.objects where (a.objs[o].flags ^ b.objs[o].flags) & MemslotFlag.gmemBound != 0 {
            out.append(b.objs[o].flags & MemslotFlag.gmemBound != 0 ? "kvm_gmem_bind obj\(o)" : "kvm_gmem_unbind obj\(o)")
        }
        // gfn_to_pfn_cache
        let ga = a.gpc, gb = b.gpc
        if ga.onList != gb.onList { out.append(gb.onList ? "gpc on gpc_list" : "gpc off gpc_list") }
        if ga.active != gb.active { out.append(gb.active ? "gpc active" : "gpc inactive") }
        if ga.uhva != gb.uhva { out.append(gb.uhva == none8 ? "gpc uhva = KVM_HVA_ERR_BAD" : "gpc uhva = \(gb.uhva)") }
        if ga.valid != gb.valid || ga.pfn != gb.pfn {
            out.append(gb.valid ? "gpc valid, pfn \(gb.pfn)" : "gpc invalid" + (gb.pfn != ga.pfn && gb.pfn == 0 ? ", pfn = KVM_PFN_ERR_FAULT" : ""))
        }
        if ga.refreshLock != gb.refreshLock { out.append(gb.refreshLock != none8 ? "refresh_lock held" : "refresh_lock released") }
        if x.kind == .gpc && (x.pc == .c4Snapshot) { out.append("mmu_seq = \(hexSeq(y.mmuSeq))") }
        if x.kind == .gpc && x.pc == .c6Relock && y.pc == .c4Snapshot { out.append("mmu_notifier_retry_cache: retry (#\(y.retries))") }
        if x.kind == .gmem && x.pc == .g5Truncate && !x.gmemRelease && !x.gmemErrorOp && x.lo < x.hi {
            switch x.truncStage {
            case 0: out.append("phase 1: find_lock_entries [\(x.lo),\(x.hi))")
            case 1: out.append("__filemap_get_folio(\(x.lo))")
            case 2: out.append("__filemap_get_folio(\(Int(x.hi) - 1))")
            default:
                let scope = "phase 2: find_get_entries [\(x.truncIndex),\(x.hi))"
                if x.truncIndex >= x.hi { out.append("index == end: done") }
                else if y.retries != x.retries { out.append("\(scope) finds nothing: restart from \(x.lo) (#\(y.retries))") }
                else if y.truncIndex == x.truncIndex { out.append("\(scope) finds nothing from start: done") }
                else { out.append("\(scope): index -> \(y.truncIndex)\(y.truncIndex >= y.hi && y.pc != .g5Wait ? ", done" : "")") }
            }
        }
        if x.kind == .gpc && x.pc == .c8Check { out.append(y.pc == .c10Access ? "kvm_gpc_check passes" : "kvm_gpc_check fails") }
        if y.pc == .idle && x.pc != .idle { out.append("done") }
        return out.joined(separator: ", ")
    }

    static func rangeText(_ w: World) -> String {
        w.rangeStart == invalidGfn ? "unset" : "[\(w.rangeStart),\(w.rangeEnd))"
    }
    static func containerText(_ w: World, _ c: Int) -> String {
        (0..<Cap.slotIDs).map { w.containers[c].slot[$0] == none8 ? "-" : "obj\(w.containers[c].slot[$0])" }.joined(separator: " ")
    }
    static func bits(_ m: UInt8) -> String { (0..<8).filter { m & (1 << UInt8($0)) != 0 }.map(String.init).joined(separator: ",") }
    static func bits16(_ m: UInt16) -> String {
        let s = (0..<16).filter { m & (1 << UInt16($0)) != 0 }.map(String.init).joined(separator: ",")
        return "{\(s)}"
    }
    static func bits32(_ m: UInt32, _ n: Int) -> String {
        "{" + (0..<n).filter { m & (1 << UInt32($0)) != 0 }.map(String.init).joined(separator: ",") + "}"
    }
}

/// Counts how often each kernel step (actor kind, program counter) runs: the coverage table of
/// `faultsync steps` and scripts/coverage.
public struct StepCounter: StepObserver {
    public var counts = [Int](repeating: 0, count: PC.allCases.count * (Int(ActorKind.nxrec.rawValue) + 1))
    var pc: PC = .idle
    public init() {}
    public mutating func event(_ index: Int, _ e: Event, accepted: Bool, world: World) {}
    public mutating func willStep(_ actor: Int, world: World) { pc = world.actors[actor].pc }
    public mutating func didStep(_ actor: Int, world: World) {
        counts[Int(world.actors[actor].kind.rawValue) * PC.allCases.count + Int(pc.rawValue)] += 1
    }
    public func count(_ kind: ActorKind, _ pc: PC) -> Int { counts[Int(kind.rawValue) * PC.allCases.count + Int(pc.rawValue)] }

    /// Code points that exist only under a bug variant.
    public static let variantOnly: Set<PC> = [.f6aLateSnapshot, .n5LateEnd]

    /// The code points each actor kind can execute (for the "never reached" list).
    /// The steps of `kind` the model can take in `config`'s world (the INIT_SHARED world's
    /// user-mapping waits only there).
    public static func steps(of kind: ActorKind, variant: Variant = .none, config: WorldConfig = .default) -> [PC] {
        PC.allCases.filter { pc in
            if variant == .none && variantOnly.contains(pc) { return false }
            switch kind {
            case .vcpu:
                // fast_page_fault(): only without A/D bits (never with mirrored TDP).
                // (Variants fast-pf-plain-write and age-plain-write imply the world, as World.init does.)
                if pc == .f2FastWalk || pc == .f2FastFix {
                    return (!config.adBits || variant.impliesNoAdBits) && !config.mirrorTDP
                }
                return pc.rawValue >= PC.f0SrcuLock.rawValue && pc.rawValue <= PC.f12Finish.rawValue
            case .mm:
                // Page aging: AG2b (the mark) only without A/D bits.
                if pc == .ag2Mark { return (!config.adBits || variant.impliesNoAdBits) && !config.mirrorTDP }
                if pc == .ag1Walk || pc == .ag2Age || pc == .ag3Done { return true }
                return pc.rawValue >= PC.n1Count.rawValue && pc.rawValue <= PC.n6Uncount.rawValue
            case .memslot:
                // kvm_mmu_zap_memslot()'s walk: only in a world without the zap-all quirk.
                if pc == .m3cZap || pc == .m3cYield || pc == .m3cRelock || pc == .m3cUnlock {
                    return !config.zapAllOnSlotChange || config.mirrorTDP
                }
                // kvm_mmu_zap_all_fast()'s R6: only with the quirk.
                if pc == .r6Lock || pc == .r6Zap { return config.zapAllOnSlotChange && !config.mirrorTDP }
                return pc.rawValue >= PC.m0Lock.rawValue && pc.rawValue <= PC.m8Unlock.rawValue
                || pc == .e1Lock || pc == .e2Split || pc == .e3Alloc
            case .attr: return pc.rawValue >= PC.t1Lock.rawValue && pc.rawValue <= PC.t7Unlock.rawValue
            case .recover: return pc.rawValue >= PC.h0Lock.rawValue && pc.rawValue <= PC.h6Unlock.rawValue
            case .nx: return pc.rawValue >= PC.x0Lock.rawValue && pc.rawValue <= PC.r6Zap.rawValue
            case .nxrec: return pc.rawValue >= PC.y0Srcu.rawValue && pc.rawValue <= PC.y3Unlock.rawValue
            case .apicv: return pc.rawValue >= PC.a0Update.rawValue && pc.rawValue <= PC.a2Unlock.rawValue
            case .gpc: return pc.rawValue >= PC.c0ActivateMutex.rawValue && pc.rawValue <= PC.c13ListDel.rawValue
            case .gmem:
                if pc == .g5Wait || pc == .g10Unmap || pc == .g10Wait { return config.gmemInitShared && !config.mirrorTDP }
                return pc.rawValue >= PC.g0InvalLock.rawValue && pc.rawValue <= PC.g10Poison.rawValue
            case .absent: return false
            }
        }
    }
}

/// `mmu_invalidate_seq` values in hex, as the kernel's %lx would show them (and so that a 32-bit
/// wrap, 0x7fffffff -> 0x80000000, is visible).
func hexSeq(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
