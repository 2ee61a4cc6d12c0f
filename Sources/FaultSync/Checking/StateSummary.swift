/// A readable dump of the model state (for `trace --html`: the state at the violating step).
extension World {
    /// Sections of (title, lines).
    public var summary: [(String, [String])] {
        var out: [(String, [String])] = []
        out.append(("struct kvm", [
            "mmu_invalidate_seq = \(hexSeq(seq))",
            "mmu_invalidate_in_progress = \(inProgress)",
            "mmu_invalidate_range = \(TraceRecorder.rangeText(self))",
            "mn_active_invalidate_count = \(mnActive)",
            "mmu_lock: " + (mmuWriter != none8 ? "write-held by \(actorNames[Int(mmuWriter)])" : "\(mmuReaders) reader(s)"),
            "slots_lock: " + (slotsLockHolder != none8 ? "held by \(actorNames[Int(slotsLockHolder)])" : "free"),
            "memslots generation = 0x" + String(generation, radix: 16),
            "APICv " + (apicvInhibited ? "inhibited" : "active"),
            "guest_memfd: " + (gmemReleased ? "released" : "open") + ", invalidate_lock "
                + (gmemInvalidateLock != none8 ? "held by \(actorNames[Int(gmemInvalidateLock)])" : "free")
                + ", folios: " + (0..<gfnCount).filter { gmemPfn[$0] != 0 }.map { "gfn \($0) -> pfn \(gmemPfn[$0])" }.joined(separator: ", "),
            "gfn_to_pfn_cache: " + (gpc.active ? "active" : "inactive") + (gpc.onList ? " on gpc_list" : "")
                + (gpc.valid ? ", valid pfn \(gpc.pfn)" : ", invalid")
                + (gpc.gfn != none8 ? ", gpa gfn \(gpc.gfn)" : ", hva-based") + (gpc.uhva != none8 ? ", uhva \(gpc.uhva)" : ""),
        ]))
        var slots: [String] = []
        for c in 0..<2 {
            for id in 0..<Cap.slotIDs {
                let o = containers[c].slot[id]
                guard o != none8 else { continue }
                let x = objs[Int(o)]
                let flags = (x.flags & MemslotFlag.invalid != 0 ? " INVALID" : "") + (x.flags & MemslotFlag.dirtyLog != 0 ? " dirty-log" : "")
                    + (x.flags & MemslotFlag.gmem != 0 ? " guest_memfd" : "")
                slots.append("\(c == Int(active) ? "active" : "inactive") set: slot \(id) = obj\(o) (\(x.state)): gfn [\(x.base),\(Int(x.base) + Int(x.npages))) at hva \(x.uaddr)\(flags)")
            }
        }
        out.append(("memslots", slots))
        var roots: [String] = []
        for r in 0..<Cap.roots where self.roots[r].state != .free {
            let x = self.roots[r]
            var sptes: [String] = []
            for b in 0..<mappedBlocks where x.huge[b].present {
                sptes.append("gfn [\(b * Cap.hugePages),\(b * Cap.hugePages + Cap.hugePages)) -> pfn \(x.huge[b].pfn) (2M\(x.huge[b].isPrivate ? ", private" : ""))")
            }
            for g in 0..<mappedGfns where x.leaf[g].present {
                sptes.append("gfn \(g) -> pfn \(x.leaf[g].pfn)\(x.leaf[g].isPrivate ? " (private)" : "")")
            }
            for g in 0..<mappedGfns where x.leaf[g].mmioGen != 0 {
                sptes.append("gfn \(g) MMIO (generation \(x.leaf[g].mmioGen - 1))")
            }
            roots.append("r\(r) \(x.state), \(x.refs) ref(s)\(x.scheduledToZap ? ", scheduled to zap" : ""): " + (sptes.isEmpty ? "no SPTEs" : sptes.joined(separator: "; ")))
        }
        out.append(("TDP MMU roots and SPTEs", roots.isEmpty ? ["no roots"] : roots))
        var host: [String] = []
        for h in 0..<min(Cap.hvas, apicGfn >= 0 ? hvaCount + 1 : hvaCount) where self.host[h].pfn != 0 {
            host.append("hva \(h) -> pfn \(self.host[h].pfn)\(isFreed(self.host[h].pfn) ? " (freed!)" : "")")
        }
        var huge: [String] = []
        for b in 0..<(hvaCount / Cap.hugePages) where hostHuge & (1 << UInt16(b)) != 0 { huge.append("\(b)") }
        host.append("THP blocks: {\(huge.joined(separator: ","))}")
        out.append(("host page tables", host))
        var priv: [String] = []
        for g in 0..<gfnCount where isPrivate(g) { priv.append("\(g)") }
        out.append(("memory attributes", ["private gfns: {\(priv.joined(separator: ","))}"]))
        var acts: [String] = []
        for a in 0..<Cap.actors where actors[a].kind != .absent && actors[a].busy {
            let x = actors[a]
            acts.append("\(actorNames[a]): next \(x.pc.label) \(x.pc.kernelName)\(x.srcuStart != 0 ? ", inside SRCU" : "")\(x.retries > 0 ? ", \(x.retries) retries" : "")")
        }
        out.append(("actors in flight", acts.isEmpty ? ["none"] : acts))
        return out
    }
}
