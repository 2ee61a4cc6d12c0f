import XCTest
@testable import FaultSync

/// One hand-written schedule per bug variant: it violates the variant's invariant with the
/// protection removed, and passes on the correct model.
final class VariantLitmusTests: XCTestCase {
    static let litmus: [(Variant, String)] = [
        (.noSeqRecheck, """
            fault vcpu0 gfn=1 shared
            step vcpu0 x6          # F0..F6g: snapshot, then GUP the old page
            remap hva=1 pages=1
            step mm0 x16           # a whole invalidation: begin, zap, host change, end (seq++)
            step vcpu0 x6          # F8 must see seq changed
            """),
        (.endWithoutSeqBump, """
            fault vcpu0 gfn=1 shared
            step vcpu0 x6
            remap hva=1 pages=1
            step mm0 x16
            step vcpu0 x6
            """),
        (.swapIgnoresMnCount, """
            unmap hva=24 pages=1
            step mm0 x2            # N1 counted, N3 walk: no memslot, begin elided
            create slot=2 gfn=12 pages=4 hva=24
            step memslot x8        # W2 must wait for mn_active_invalidate_count == 0
            step mm0 x16           # range_end now finds the slot: end without begin
            """),
        (.noSynchronizeSrcu, """
            fault vcpu0 gfn=9 shared
            step vcpu0 x2          # F0 srcu_read_lock, F1 holds slot1
            delete slot=1
            step memslot x16       # must wait in synchronize_srcu for vcpu0
            """),
        (.seqSnapshotAfterLookup, """
            fault vcpu0 gfn=1 shared
            step vcpu0 x5          # correct: up to F6f; variant: already looked up the pfn
            remap hva=1 pages=1
            step mm0 x16
            step vcpu0 x8
            """),
        (.noInProgressCheck, """
            fault vcpu0 gfn=1 shared
            step vcpu0 x6
            remap hva=1 pages=1
            step mm0 x7            # start done, host PTE changed, end not yet
            step vcpu0 x6
            """),
        (.rangeAddOverwrite, """
            create slot=2 gfn=12 pages=4 hva=4
            step memslot x8        # slot2 aliases hva [4,8) with slot0
            remap hva=4 pages=1
            step mm0 x8            # one invalidation adds gfn 4 (slot0) and gfn 12 (slot2)
            """),
        (.unconditionalEnd, """
            unmap hva=24 pages=1   # hits no memslot
            step mm0 x16
            """),
        (.invalidateEndAfterUnlock, """
            remap hva=1 pages=1
            step mm0 x16
            """),
        (.zapBeforeRangeAdd, """
            remap hva=2 pages=4
            step mm0 x5            # variant: lock, zap gfn [2,4), yield before begin/range_add
            fault vcpu0 gfn=2 shared
            step vcpu0 x12
            step mm0 x16
            """),
        (.reuseInactiveBeforeSync, """
            delete slot=1
            step memslot x5        # INVALID copy published and synced
            fault vcpu0 gfn=9 shared
            step vcpu0 x2          # a reader of the set holding the INVALID slot
            step memslot x8        # the second swap; that set is modified only after sync
            """),
        (.srcuUnlockBeforeInstall, """
            fault vcpu0 gfn=9 shared
            step vcpu0 x6          # variant: leaves SRCU after the lookup
            delete slot=1
            step memslot x16
            step vcpu0 x6
            """),
        (.invalidSlotAsNoSlot, """
            delete slot=1
            step memslot x4        # INVALID copy published
            fault vcpu0 gfn=9 shared
            step vcpu0 x8
            """),
        (.attrNoHeadTailRanges, """
            collapse block=0
            step mm0 x16
            attr gfn=0 pages=1 private
            step attr x6           # begin, range_add (+ head block [0,4) when correct), zap, unlock
            fault vcpu0 gfn=2 shared
            step vcpu0 x12         # variant: maps block 0 huge and shared
            step attr x4           # gfn 0 becomes private under the huge shared SPTE
            """),
        (.recoverHugeWithoutLeaf, """
            fault vcpu0 gfn=0 shared
            step vcpu0 x12         # a 4K leaf: block 0 has a page table
            collapse block=0
            step mm0 x16           # THP: leaf zapped (the table's 4 entries one by one), table stays
            step mm0 x1            # N6
            remap hva=0 pages=1
            step mm0 x12           # start returned; host change pending
            recover slot=0
            step recover x3        # variant: promotes over the leafless table from the host
            step mm0 x16
            """),
        (.hostWalkDoubleRead, """
            collapse block=0
            step mm0 x16           # hva 0-3 is a THP
            fault vcpu0 gfn=1 shared
            step vcpu0 x2          # variant: the walk's first PMD read (huge), before the snapshot
            remap hva=1 pages=1
            step mm0 x16           # the THP is split and hva 1 remapped, all before the snapshot
            step vcpu0 x16         # snapshot, lookup of the new page, F8 passes; F10 maps it huge
            """),
        (.seqSnapshotInt32, """
            remap hva=1 pages=1
            step mm0 x16
            remap hva=1 pages=1
            step mm0 x16           # seq crosses 2^31
            fault vcpu0 gfn=1 shared
            """),
        (.noObsoleteRootCheck, """
            delete slot=1
            step memslot x5        # INVALID copy published and synced: nobody was reading
            fault vcpu0 gfn=1 shared
            step vcpu0 x7          # a fault in the unaffected slot0, root loaded, up to F6i
            step memslot x1        # M3c kvm_mmu_zap_all_fast(): the root becomes obsolete
            step vcpu0 x8          # F8 must see the obsolete root and retry
            """),
        (.prefaultRetryHoldsSrcu, """
            fault vcpu0 gfn=9 shared prefault
            step vcpu0 x1          # KVM_PRE_FAULT_MEMORY holds SRCU
            delete slot=1
            step memslot x4        # INVALID published; synchronize_srcu waits for the prefault
            """),
        (.reloadIgnoresObsoleteRequest, """
            fault vcpu0 gfn=1 shared
            step vcpu0 x16         # KVM_RUN: vcpu0 loads root r0 and maps gfn 1
            nx-toggle
            step nx x8             # kvm_mmu_zap_all_fast(): r0 invalid and zapped; vcpu0 still holds it
            fault vcpu0 gfn=2 shared prefault
            step vcpu0 x2          # P0 kvm_mmu_reload() must free r0 and load a current root
            """),
        (.zapInvalidatedRootsAtLastPut, """
            fault vcpu1 gfn=9 shared
            step vcpu1 x16         # vcpu1 maps gfn 9 (slot1) into root r0, then idles holding r0
            delete slot=1
            step memslot x16       # kvm_mmu_zap_all_fast() must zap r0 before the delete returns
            step memslot x8
            """),
        (.zapGfnRangeWithoutInvalidation, """
            fault vcpu0 gfn=apic shared
            step vcpu0 x4          # F0, F1, F6a snapshot, F6b-d: reads "APICv active"
            apicv inhibit
            step apicv x3          # A0 inhibit, A1 kvm_zap_gfn_range (nothing mapped yet), A2
            step vcpu0 x8          # F8 must see mmu_invalidate_seq changed and retry
            """),
        (.gpcRetryIgnoresMnCount, """
            gpc activate gfn=9
            step gpc0 x8            # C0-C7: the cache maps gfn 9 (hva 17)
            remap hva=17 pages=1
            step mm0 x1             # N1-2: mn_active_invalidate_count++, the cache is invalidated
            gpc use
            step gpc0 x5            # C8 check fails, C9 mutex, C3, C4 snapshot + unlock, C5 GUP: the old page
            step gpc0 x2            # C6: in_progress is still 0 and seq unchanged -> publish (correct: count != 0, retry)
            step mm0 x16            # N3 zap, the host changes the PTE and frees the cached page
            """),
        (.gpcRefreshWithoutMutex, """
            gpc activate gfn=9
            step gpc0 x8            # C0-C7: the cache maps gfn 9 (hva 17)
            remap hva=17 pages=1
            step mm0 x16            # the cache is invalidated, the page replaced
            gpc use
            step gpc0 x5            # gpc0: C8 fails, C9 refresh_lock, C3, C4 unlock, C5 GUP
            gpc use
            step gpc1 x6            # gpc1: C8 fails, C9 (correct: waits for refresh_lock), C3, C4, C5, C6 publishes
            step gpc0 x1            # gpc0: C6 WARN_ON_ONCE(gpc->valid)
            """),
        (.gmemInvalidateEndBeforeTruncate, """
            attr gfn=1 pages=1 private
            step attr x16
            punch-hole gfn=1 pages=1
            step gmem x5            # G0 filemap_invalidate_lock, G1 begin, G2 range_add, G3 zap, G4 unlock
            step gmem x1            # variant: G6 kvm_gmem_invalidate_end (correct: G5 truncate first)
            fault vcpu0 gfn=1 private
            step vcpu0 x16          # kvm_gmem_get_pfn() finds the folio (allocated on first touch); F8 passes
            step gmem x2            # G5 truncate_inode_pages_range: the mapped folio is freed
            """),
        (.gmemUnbindWithoutInvalidateLock, """
            punch-hole gfn=0 pages=1
            step gmem x5            # G0 filemap_invalidate_lock, G1 begin (slot 0 is bound), G2, G3 zap, G4 unlock
            delete slot=0
            step memslot x16        # variant: M7 kvm_gmem_unbind() does not wait for filemap_invalidate_lock
            step memslot x16
            step gmem x3            # G5 truncate; no binding in range now: the end is skipped
            """),
        (.gmemSlotModifyDropsFlag, """
            flags slot=0 dirty-log=off
            step memslot x16        # without KVM_MEM_GUEST_MEMFD: a plain slot; M7 kfree(old), no unbind
            punch-hole gfn=1 pages=1
            step gmem x3            # G0, G1, G2 reads the bound (freed) slot
            """),
        (.gmemUnbindIgnoresDyingFile, """
            gmem-release
            step gmem x1            # G8 fput(): refcount 0, the file is dying
            delete slot=0
            step memslot x16        # the delete runs to M7: kvm_free_memslot -> kvm_gmem_unbind, kfree(old)
            step memslot x16
            step gmem x1            # G0 kvm_gmem_release: slots_lock, invalidate lock, slot->gmem.file = NULL
            """),
        (.gmemFaultNoRetryCheck, """
            attr gfn=1 pages=1 private
            step attr x16
            fault vcpu0 gfn=1 private
            step vcpu0 x6           # F0, F1, F6a snapshot, F6b-d, F6f, F6g kvm_gmem_get_pfn (folio allocated)
            punch-hole gfn=1 pages=1
            step gmem x8            # G0-G7: begin, zap, truncate (the folio is freed), end (seq++)
            step vcpu0 x16          # F6i, F7, F8 (correct: seq changed -> retry), F10, F11
            """),
        (.gmemErrorWithoutInvalidation, """
            attr gfn=1 pages=1 private
            step attr x16
            fault vcpu0 gfn=1 private
            step vcpu0 x16          # the private SPTE maps the folio of gfn 1
            gmem-error gfn=1
            step gmem x16           # G10 poison, G0 lock (correct: begin, zap, end), G7 kvm_gmem_error_folio returns
            """),
        (.gmemReleaseWithoutInvalidation, """
            attr gfn=1 pages=1 private
            step attr x16
            fault vcpu0 gfn=1 private
            step vcpu0 x16          # the private SPTE maps the folio of gfn 1
            gmem-release
            step gmem x16           # G8 last fput, G0 release (correct: begin/zap/end), G7, G9 evict frees the folio
            """),
        (.mmioGenSingleBump, """
            fault vcpu0 gfn=13 shared
            step vcpu0 x3           # F0, F1: no memslot for gfn 13 (the MMIO path), F6a
            create slot=2 gfn=12 pages=2 hva=24
            step memslot x4         # M0, M1, M5, W1-W3: the new memslots are published (variant: generation + 1)
            step vcpu0 x6           # F11 make_mmio_spte() reads the new memslots' generation (correct: in progress)
            step memslot x3         # W6 synchronize_srcu (correct: W7 the generation's second increment), M5, M8
            fault vcpu0 gfn=13 shared
            step vcpu0 x3           # the access hits the MMIO SPTE: check_mmio_spte() (correct: stale -> regular fault)
            """),
        (.nxTrackWithoutRecheck, """
            collapse block=0
            step mm0 x16            # hva 0-3 (slot 0's gfns 0-3) is a THP
            fault vcpu1 gfn=1 shared
            step vcpu1 x12          # a huge SPTE for gfn block 0
            fault vcpu0 gfn=2 shared exec
            step vcpu0 x11          # nx_huge_pages: 4K; F11 splits the huge SPTE into a new page table
            recover slot=0
            step recover x3         # H2: a huge SPTE replaces the table (tdp_mmu_unlink_sp: flag cleared)
            step vcpu0              # F11t: correct: re-check, not tracked; variant: the freed table goes on the list
            """),
        (.eagerSplitStaleSpte, """
            collapse block=4
            step mm0 x16            # hva 16-19 (slot 1's gfns 8-11) is a THP
            fault vcpu0 gfn=8 shared
            step vcpu0 x16          # a huge SPTE for gfn block 2
            flags slot=1 dirty-log=on
            step memslot x9         # M0..E2: the eager split found the huge SPTE and dropped mmu_lock to allocate
            remap hva=16 pages=1
            step mm0 x16            # a whole invalidation: the huge SPTE zapped, the host frees pfns 4-7
            step memslot            # E3: correct: restart, the SPTE is gone; variant: split the old SPTE
            """),
        (.nxRecoveryNoTlbFlush, """
            collapse block=0
            step mm0 x16            # hva 0-3 (slot 0's gfns 0-3) is a THP
            fault vcpu0 gfn=2 shared exec
            step vcpu0 x16          # nx_huge_pages: 4K under a new page table, tracked
            nx-recover
            step nxrec x4           # Y2 zaps the table; Y3: correct: flush; variant: none
            unmap hva=2 pages=1
            step mm0 x16            # N3 zaps nothing (no flush); the host frees the pages
            """),
        (.notifierNoTlbFlush, """
            fault vcpu0 gfn=1 shared
            step vcpu0 x16
            unmap hva=1 pages=1
            step mm0 x16            # N3 zaps; correct: flush before unlock; variant: none; the host frees
            """),
        (.rootZapFlushNotCarried, """
            fault vcpu0 gfn=5 shared
            step vcpu0 x2           # vcpu0 loads root r0
            nx-toggle
            step nx x2              # r0 invalid, not yet zapped (R6 holds it)
            step vcpu0 x16          # r0 obsolete: retry; reload: new valid root r1 ...
            step vcpu0 x8           # ... maps gfn 5
            unmap hva=2 pages=4
            step mm0 x8             # r1: zaps gfn 5; r0's walk at a yield point (variant: r1's flush not carried)
            unmap hva=5 pages=1
            step mm1 x16            # takes mmu_lock: mm0 yields; nothing to flush; the host frees the page
            """),
        (.fastPfPlainWrite, """
            fault vcpu1 gfn=9 shared prefault
            step vcpu1 x16          # an access-tracked SPTE (the variant implies no A/D bits)
            fault vcpu0 gfn=9 shared
            step vcpu0 x3           # F0, F1, F2a reads it
            remap hva=17 pages=1
            step mm0 x16            # zapped; the host frees the old page
            step vcpu0 x1           # F2b: cmpxchg fails / the variant's store brings it back
            """),
        (.agePlainWrite, """
            fault vcpu0 gfn=9 shared
            step vcpu0 x16          # a young SPTE (the variant implies no A/D bits)
            age hva=17 pages=1
            step mm0 x2             # AG1, AG2 reads it
            remap hva=17 pages=1
            step mm1 x16            # zapped; the host frees the old page
            step mm0 x1             # AG2b: the cmpxchg fails / the variant's store brings it back
            """),
        (.ageWithoutSrcu, """
            age hva=16 pages=4
            step mm0 x1             # AG1 at slot 1 (variant: outside kvm->srcu)
            delete slot=1
            step memslot x16        # correct: waits at W6; variant: frees slot 1
            step mm0 x1             # AG2 reads range->slot
            """),
    ]

    func testEveryVariantHasALitmus() {
        let covered = Set(Self.litmus.map { $0.0 })
        for v in Variant.allCases where v != .none {
            XCTAssertTrue(covered.contains(v), "no litmus for \(v.name)")
        }
    }

    func testLitmusViolatesUnderItsVariantAndPassesWhenCorrect() {
        for (v, text) in Self.litmus {
            let bad = verdict(text, v)
            XCTAssertEqual(bad.violation?.invariant, v.expected,
                           "\(v.name): expected \(v.expected!.name), got \(bad.violation.map { "\($0.invariant.name): \($0.message)" } ?? "no violation")")
            let good = verdict(text, .none)
            XCTAssertNil(good.violation, "\(v.name) litmus fails on the correct model: \(good.violation?.message ?? "")")
        }
    }

    /// A variant removes one protection: every other variant's litmus is unaffected by it
    /// unless the two protections overlap. At least, no litmus fires under an unrelated variant
    /// with a *different* invariant family than its own when the schedule has no memslot op.
    func testTheCorrectModelIsNotAVariant() {
        for v in Variant.allCases { XCTAssertEqual(v == .none, v.expected == nil) }
        XCTAssertEqual(Set(Variant.allCases.map(\.name)).count, Variant.allCases.count)
    }

    /// The trace marks where a variant acts (the correct model's same step differs, or could not
    /// be taken): at least once in every variant's violating litmus, and never under none.
    func testTraceMarksWhereTheVariantActs() throws {
        for v in Variant.allCases where v != .none {
            for name in ["litmus.txt", "litmus-2.txt", "fuzzer-min.txt"] {
                let url = repoRoot.appendingPathComponent("corpus/regressions/\(v.name)/\(name)")
                guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                let bytes = sched(text).bytes
                let (verdict, entries) = Report.trace(bytes, variant: v)
                guard verdict.violation != nil else { continue }   // named in the variant's NOTE.md
                XCTAssertTrue(entries.contains { !$0.deviation.isEmpty }, "\(v.name)/\(name): no step marks the variant")
                XCTAssertTrue(Report.trace(bytes, variant: .none).1.allSatisfy { $0.deviation.isEmpty })
            }
        }
    }
}
