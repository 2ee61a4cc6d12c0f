/// Capacities of the fixed-size storage. A `WorldConfig` chooses sizes at or below these.
public enum Cap {
    public static let gfns = 32          // guest frames
    public static let hvas = 64          // host virtual pages
    public static let hugePages = 4      // pages per huge page (the model's "2M")
    public static let blocks = gfns / hugePages
    public static let hvaBlocks = hvas / hugePages
    public static let slotIDs = 3        // memslot ids in the one address space
    public static let objects = 12       // struct kvm_memory_slot objects (pool)
    public static let actors = 13        // vcpu0, vcpu1, mm0, mm1, memslot, attr, recover, nx, apicv, gpc0, gpc1, gmem, nxrec
    public static let roots = 4          // TDP MMU roots: 2 held by vCPUs + 1 being zapped + 1 valid
    public static let pfnWords = 32      // ghost freed-bitmap: 32 * 64 = 2048 host pfns
    public static let hostPfns = pfnWords * 64
}

/// `INVALID_GPA` for `mmu_invalidate_range_start/end`.
public let invalidGfn: UInt16 = 0xFFFF
/// "No object / no actor" marker for the UInt8 indices.
public let none8: UInt8 = 0xFF

/// Size of the modelled VM. Default: 16 gfns, 32 hva pages, slot0 = gfn [0,8) at hva 0,
/// slot1 = gfn [8,12) at hva 16, slot2 absent; mmu_invalidate_seq starts just below 2^31
/// so that a narrowed snapshot (B6) goes wrong within a few invalidations.
public struct WorldConfig: Sendable, Equatable {
    public var gfnCount: Int = 16
    public var hvaCount: Int = 32
    public var vcpus: Int = 2
    public var notifiers: Int = 2
    public var initialSeq: UInt64 = 0x7FFF_FFFE
    /// Memslot delete/move zaps with kvm_mmu_zap_all_fast() (KVM_X86_DEFAULT_VM with
    /// KVM_X86_QUIRK_SLOT_ZAP_ALL, the default) instead of kvm_mmu_zap_memslot().
    public var zapAllOnSlotChange = true
    /// The VM has an APIC access page (APIC_ACCESS_PAGE_PRIVATE_MEMSLOT, one gfn just past the
    /// user gfns, backed by its own host page). Only when the world has room for it.
    public var apicAccessPage = true
    /// Candidate fixes for the baseline's findings. The default, every fix, is the "correct"
    /// configuration; `.none` is the plain baseline.
    public var fixes: FixSet = .all
    /// (id, base gfn, npages, uaddr page) of the slots present at boot.
    public var initialSlots: [(UInt8, UInt8, UInt8, UInt8)] = [(0, 0, 8, 0), (1, 8, 4, 16)]
    /// Slot ids created at boot with KVM_MEM_GUEST_MEMFD (bound to the VM's one guest_memfd at
    /// offset = base gfn): slot 0, the VM's main memory, as a confidential VM has it. Slot 1 stays
    /// a plain slot (the one userspace moves and dirty-logs: a guest_memfd slot cannot be).
    public var gmemSlots: UInt8 = 1 << 0
    /// The VM's guest_memfd was created with GUEST_MEMFD_FLAG_MMAP (allowed for every VM type
    /// since 44c6cb9fe988; INIT_SHARED is not, on a VM with private memory): kvm_gmem_bind()
    /// marks every slot bound to it KVM_MEMSLOT_GMEM_ONLY, and __kvm_mmu_faultin_pfn() serves
    /// shared faults on such a slot from guest_memfd too (kvm_mmu_faultin_pfn_gmem), at 4K.
    /// Userspace faults on the mapping get SIGBUS without INIT_SHARED, so the file has no user
    /// mapping and the slot's hvas stay ordinary memory that KVM no longer reads.
    public var gmemMmap = false
    /// The TDP MMU honours `kvm_gfn_range.attr_filter`, as on a VM with mirrored TDP (TDX:
    /// kvm_gfn_range_filter_to_root_types()): private SPTEs live in mirror roots, shared ones in
    /// direct roots, and an unmap reaches only the kinds its filter names. Implies no
    /// KVM_X86_QUIRK_SLOT_ZAP_ALL (kvm_memslot_flush_zap_all() is for KVM_X86_DEFAULT_VM only)
    /// and no APIC access page.
    public var mirrorTDP = false
    /// KVM_X86_DEFAULT_VM (no private memory) whose guest_memfd has GUEST_MEMFD_FLAG_MMAP |
    /// GUEST_MEMFD_FLAG_INIT_SHARED (fe2bf6234e94): its slots are gmem-only and all its memory is
    /// shared; the VMM maps the file (index i at hva i, for slot 0's 8 pages) and uses that
    /// mapping as slot 0's userspace_addr, so host userspace and GUP reach the same folios
    /// (kvm_gmem_fault_user_mapping), and a punch hole's truncation unmaps them through the MMU
    /// notifier. Implies gmemMmap; private attributes fail (-EINVAL); invalidations filter
    /// KVM_FILTER_SHARED (5d3341d684be). Not with mirrorTDP (TDX has private memory).
    public var gmemInitShared = false
    /// The nx_huge_pages module parameter at boot (`nx_huge_pages=auto` turns it on for CPUs with
    /// X86_BUG_ITLB_MULTIHIT: the world where the mitigation and its recovery thread matter);
    /// `nx-toggle` flips it.
    public var nxHugePages = true
    /// kvm_ad_enabled: the TDP MMU uses the EPT/NPT Accessed and Dirty bits (the default). Off
    /// (`--no-ad-bits`: kvm_intel.eptad=0, or a CPU without EPT A/D bits) KVM tracks accesses by
    /// clearing an SPTE's RWX bits instead (mark_spte_for_access_track(): every SPTE a
    /// KVM_PRE_FAULT_MEMORY makes is access-tracked), and every not-present fault first tries
    /// fast_page_fault(), which restores such an SPTE without mmu_lock. TDX needs A/D bits:
    /// ignored with mirrorTDP.
    public var adBits = true

    public init() {}
    public static let `default` = WorldConfig()

    /// The `faultsync` flags that select this kernel and world (for replay hints).
    public var worldFlags: String {
        fixFlags + (zapAllOnSlotChange || mirrorTDP ? "" : " --no-slot-zap-all")
            + (gmemInitShared ? " --gmem-init-shared" : gmemMmap ? " --gmem-mmap" : "") + (mirrorTDP ? " --mirror-tdp" : "")
            + (adBits || mirrorTDP ? "" : " --no-ad-bits")
    }

    /// "" (every candidate fix), " --without-fix NAME" (all but one), else " --baseline".
    public var fixFlags: String {
        if fixes == .all { return "" }
        let missing = Finding.allCases.filter { !fixes.has($0) }
        return missing.count == 1 ? " --without-fix \(missing[0].name)" : " --baseline"
    }

    public static func == (l: WorldConfig, r: WorldConfig) -> Bool {
        l.gfnCount == r.gfnCount && l.hvaCount == r.hvaCount && l.vcpus == r.vcpus
            && l.notifiers == r.notifiers && l.initialSeq == r.initialSeq
            && l.zapAllOnSlotChange == r.zapAllOnSlotChange && l.fixes == r.fixes
            && l.apicAccessPage == r.apicAccessPage && l.gmemSlots == r.gmemSlots
            && l.gmemMmap == r.gmemMmap && l.mirrorTDP == r.mirrorTDP && l.gmemInitShared == r.gmemInitShared
            && l.nxHugePages == r.nxHugePages && l.adBits == r.adBits
            && l.initialSlots.count == r.initialSlots.count
            && zip(l.initialSlots, r.initialSlots).allSatisfy { $0 == $1 }
    }
}

/// One host page-table entry (4K granularity; `hostHuge` says whether its block is a THP).
public struct HostPTE: Equatable {
    public var pfn: UInt16 = 0          // 0 = not present
    public var version: UInt32 = 0      // ghost: bumped on every change
    public var changedAt: UInt32 = 0    // ghost: the step of the last change
}

/// A leaf SPTE (TDP MMU). Ghost fields say where it came from. Eight bytes: the flags share one.
public struct SPTE: Equatable {
    /// `SPTEBit` flags: present, private, access-tracked, not executable. (16 bits: no padding
    /// byte in the struct, whose bytes the canonical form compares.)
    public var bits: UInt16 = 0
    public var pfn: UInt16 = 0
    public var hva: UInt8 = 0           // ghost: hva it was looked up through (block base for huge);
                                        // `gmemHva` for a shared page served by guest_memfd
    public var incarnation: UInt8 = 0   // ghost: which gfn->hva mapping of its slot it belongs to
    /// Nonzero: an MMIO SPTE (not present; make_mmio_spte()), 1 + the memslots generation it was
    /// made with (MMIO_SPTE_GEN_MASK: the update-in-progress bit is not part of it).
    public var mmioGen: UInt16 = 0

    public init(present: Bool = false, isPrivate: Bool = false, pfn: UInt16 = 0, hva: UInt8 = 0,
                incarnation: UInt8 = 0, mmioGen: UInt16 = 0, accessTracked: Bool = false, nx: Bool = false) {
        bits = (present ? SPTEBit.present : 0) | (isPrivate ? SPTEBit.isPrivate : 0)
            | (accessTracked ? SPTEBit.accessTracked : 0) | (nx ? SPTEBit.nx : 0)
        self.pfn = pfn
        self.hva = hva
        self.incarnation = incarnation
        self.mmioGen = mmioGen
    }

    @inline(__always) func has(_ f: UInt16) -> Bool { bits & f != 0 }
    @inline(__always) mutating func set(_ f: UInt16, _ on: Bool) { bits = on ? bits | f : bits & ~f }
    /// is_shadow_present_pte() (an access-tracked SPTE is present to KVM, not to the CPU).
    public var present: Bool { get { has(SPTEBit.present) } set { set(SPTEBit.present, newValue) } }
    public var isPrivate: Bool { get { has(SPTEBit.isPrivate) } set { set(SPTEBit.isPrivate, newValue) } }
    /// is_access_track_spte(): the RWX bits saved and cleared (mark_spte_for_access_track(); only
    /// without A/D bits, `World.adBits`), so the CPU faults on it and fast_page_fault() restores it.
    public var accessTracked: Bool { get { has(SPTEBit.accessTracked) } set { set(SPTEBit.accessTracked, newValue) } }
    /// Not executable: a huge SPTE made while the NX huge page mitigation was on (make_spte(),
    /// make_huge_spte()). Recorded only without A/D bits, where fast_page_fault() reads it.
    public var nx: Bool { get { has(SPTEBit.nx) } set { set(SPTEBit.nx, newValue) } }

    /// Whether the page came from guest_memfd (a private SPTE, or a shared one of a
    /// KVM_MEMSLOT_GMEM_ONLY slot): it must map the file's current folio.
    @inline(__always) public var fromGmem: Bool { isPrivate || hva == gmemHva }

    /// The bits a cmpxchg compares (the ghosts hva and incarnation are not part of the value).
    @inline(__always) public func sameValue(_ o: SPTE) -> Bool {
        bits == o.bits && pfn == o.pfn && mmioGen == o.mmioGen
    }
}

public enum SPTEBit {
    public static let present: UInt16 = 1
    public static let isPrivate: UInt16 = 2
    public static let accessTracked: UInt16 = 4
    public static let nx: UInt16 = 8
}

/// The ghost hva of a shared SPTE whose page guest_memfd gave (no host mapping was read).
public let gmemHva: UInt8 = 0xFF

public enum ObjState: UInt8 { case free, live, freed }

/// `struct kvm_memory_slot`.
public struct MemslotObj: Equatable {
    public var state: ObjState = .free
    public var id: UInt8 = 0
    public var base: UInt8 = 0
    public var npages: UInt8 = 0
    public var uaddr: UInt8 = 0
    public var flags: UInt8 = 0         // MemslotFlag bits
    public var mixed: UInt8 = 0         // lpage_info KVM_LPAGE_MIXED_FLAG, one bit per gfn block
    public var incarnation: UInt8 = 0   // ghost
    public var unpublishedAt: UInt32 = 0 // ghost: step at which a swap made it unreachable

    @inline(__always) public func covers(_ gfn: Int) -> Bool {
        gfn >= Int(base) && gfn < Int(base) + Int(npages)
    }
    @inline(__always) public func hva(of gfn: Int) -> Int { Int(uaddr) + gfn - Int(base) }
}

public enum MemslotFlag {
    public static let invalid: UInt8 = 1   // KVM_MEMSLOT_INVALID
    public static let dirtyLog: UInt8 = 2  // KVM_MEM_LOG_DIRTY_PAGES
    public static let gmem: UInt8 = 4      // KVM_MEM_GUEST_MEMFD (kvm_slot_has_gmem)
    /// Not a kernel flag: this object is in the guest_memfd's bindings xarray (kvm_gmem_bind on
    /// `new` at create, kvm_gmem_unbind when the object is freed). A KVM_MEMSLOT_INVALID copy
    /// of a bound slot is not itself bound.
    public static let gmemBound: UInt8 = 8
    /// KVM_MEMSLOT_GMEM_ONLY: set by kvm_gmem_bind() when the file has GUEST_MEMFD_FLAG_MMAP.
    public static let gmemOnly: UInt8 = 16
    /// Not a kernel flag (a ghost for I12): the KVM_SET_USER_MEMORY_REGION that made this object
    /// has not returned yet (set when it is allocated, cleared at M8).
    public static let pending: UInt8 = 32
}

/// `struct gfn_to_pfn_cache` (virt/kvm/pfncache.c): one cache of the VM (like Xen's shared_info
/// cache), which both gpc actors use, and its place on kvm->gpc_list.
public struct PfnCache: Equatable {
    public var onList = false              // on kvm->gpc_list: seen by gfn_to_pfn_cache_invalidate_start
    public var active = false
    public var valid = false
    public var gfn: UInt8 = none8          // gpc->gpa >> PAGE_SHIFT; none8 = INVALID_GPA (hva-based cache)
    public var uhva: UInt8 = none8         // gpc->uhva; none8 = KVM_HVA_ERR_BAD
    public var generation: UInt64 = 0      // gpc->generation (memslots generation at the gpa -> uhva lookup)
    public var pfn: UInt16 = 0             // gpc->pfn; 0 = KVM_PFN_ERR_FAULT
    public var writer: UInt8 = none8       // gpc->lock (rwlock) writer
    public var readers: UInt8 = 0
    public var refreshLock: UInt8 = none8  // gpc->refresh_lock (mutex) holder
}

/// `struct kvm_memslots`: one of `kvm->__memslots[as][0/1]`, slot id -> object.
public struct Container: Equatable {
    public var slot = InlineArray<3, UInt8>(repeating: none8)
    /// The ids of the slots present, oldest insertion first (2 bits each, 3 = none): the order
    /// of equal keys in the set's interval tree of hvas (`hva_tree`). kvm_replace_memslot()
    /// removes a replaced slot's node and inserts the new one (`interval_tree_insert()` puts an
    /// equal start to the right), so among memslots that start at the same hva the walk meets the
    /// one replaced into this set earliest first.
    public var insertion: UInt8 = 0x3F
    public var unpublishedAt: UInt32 = 0 // ghost

    public static func == (l: Container, r: Container) -> Bool {
        l.unpublishedAt == r.unpublishedAt && l.slot[0] == r.slot[0] && l.slot[1] == r.slot[1]
            && l.slot[2] == r.slot[2] && l.insertion == r.insertion
    }

    /// Slot `id` now holds `obj` (kvm_replace_memslot): its node leaves the tree, and the new
    /// one, if any, goes in as the newest.
    @inline(__always) mutating func replace(_ id: Int, _ obj: UInt8) {
        slot[id] = obj
        var out: UInt8 = 0x3F, n: UInt8 = 0
        for k in 0..<3 {
            let x = (insertion >> UInt8(2 * k)) & 3
            if x != 3 && Int(x) != id { out = out & ~(3 << (2 * n)) | x << (2 * n); n += 1 }
        }
        if obj != none8 { out = out & ~(3 << (2 * n)) | UInt8(id) << (2 * n) }
        insertion = out
    }

    /// Where slot `id` is in the insertion order (0 = oldest); 3 if absent.
    @inline(__always) func insertionRank(_ id: Int) -> Int {
        for k in 0..<3 where Int((insertion >> UInt8(2 * k)) & 3) == id { return k }
        return 3
    }
}

/// The whole model: `struct kvm` fields, memslot sets, host mm, SPTEs, attributes, actors, ghosts.
public struct World {
    public var gfnCount: Int
    public var hvaCount: Int
    public internal(set) var variant: Variant

    // --- struct kvm: invalidation state (protected by mmu_lock) ---
    public var seq: UInt64                       // mmu_invalidate_seq
    public var inProgress: Int64 = 0             // mmu_invalidate_in_progress
    public var rangeStart: UInt16 = invalidGfn   // mmu_invalidate_range_start
    public var rangeEnd: UInt16 = invalidGfn     // mmu_invalidate_range_end
    public var mnActive: Int32 = 0               // mn_active_invalidate_count (mn_invalidate_lock)

    // --- locks ---
    public var mmuWriter: UInt8 = none8          // mmu_lock (rwlock) writer
    public var mmuReaders: UInt8 = 0
    public var slotsLockHolder: UInt8 = none8    // slots_lock

    // --- memslots ---
    public var objs = InlineArray<12, MemslotObj>(repeating: MemslotObj())
    public var containers = InlineArray<2, Container>(repeating: Container())
    public var active: UInt8 = 0                 // kvm->memslots[0] points at containers[active]
    public var generation: UInt64 = 0            // slots->generation (bit 63 = update in progress)
    public var nextIncarnation: UInt8 = 1

    // --- attributes (xarray) ---
    public var privateGfns: UInt32 = 0           // bit g set: KVM_MEMORY_ATTRIBUTE_PRIVATE

    // --- guest_memfd: one file; page index = gfn (each binding's offset is its base gfn) ---
    public var gmemPfn = InlineArray<32, UInt16>(repeating: 0)  // folio pfn at each index, 0 = hole
    public var gmemInvalidateLock: UInt8 = none8 // filemap_invalidate_lock (held for write)
    public var gmemDying = false                 // the file's last reference is gone: get_file_active() fails
    public var gmemReleased = false              // kvm_gmem_release ran: every slot->gmem.file is NULL
    public var gmemPoison: UInt32 = 0            // bit g: the folio at index g has PG_hwpoison (memory_failure)
    public var gmemPoisonHandled: UInt32 = 0     // ghost: kvm_gmem_error_folio() has returned for it

    // --- gfn_to_pfn_cache ---
    public var gpc = PfnCache()
    /// Candidate fix of finding gpc-hva-refresh-misses-invalidation: a count of finished MMU-notifier
    /// invalidations, bumped in range_end under mn_invalidate_lock whether or not a memslot was hit
    /// (wrapping; a refresh compares its C4 snapshot with it at C6).
    public var mnEndCount: UInt8 = 0

    // --- host mm (environment) ---
    public var host = InlineArray<64, HostPTE>(repeating: HostPTE())
    public var hostHuge: UInt16 = 0              // bit b: hva block b is a THP
    public var hostBusy: UInt16 = 0              // ghost: hva blocks owned by an in-flight host op
    /// Ghost: the blocks of `hostBusy` whose in-flight operations are all `unmap`s
    /// (MADV_DONTNEED under mmap_lock for read: two of them may zap one range at once).
    public var hostBusyUnmap: UInt16 = 0
    public var freed = InlineArray<32, UInt64>(repeating: 0) // ghost: freed host pfns
    /// Ghost (I7): per gfn, the host pfn a vCPU TLB may still translate it to because a leaf
    /// SPTE of a valid root mapping it was zapped and no TLB flush covering it has run since
    /// (0: none). Zaps in invalid roots are not recorded: tdp_mmu_zap_leafs() "Zapping SPTEs in
    /// invalid roots doesn't require a TLB flush" (the roots' invalidation made every vCPU
    /// reload and flush). A second zap of the same gfn before a flush keeps only its pfn.
    public var tlbStale = InlineArray<32, UInt16>(repeating: 0)
    public var nextPfn: UInt16 = 4

    // --- TDP MMU roots (kvm->arch.tdp_mmu_roots), each with its own SPTEs ---
    public var roots = InlineArray<4, Root>(repeating: Root())
    public let zapAllOnSlotChange: Bool
    /// WorldConfig.gmemMmap / .mirrorTDP (constant: not part of the canonical state).
    public let gmemMmap: Bool
    public let mirrorTDP: Bool
    public let gmemInitShared: Bool
    /// kvm_ad_enabled (WorldConfig.adBits; constant). Variants fast-pf-plain-write and
    /// age-plain-write imply false (`Variant.impliesNoAdBits`): only that world has the lockless
    /// store they break.
    public let adBits: Bool
    /// kvm->arch.has_private_mem: KVM_X86_SW_PROTECTED_VM (the default world) or TDX; not the
    /// INIT_SHARED world's KVM_X86_DEFAULT_VM.
    @inline(__always) var hasPrivateMem: Bool { !gmemInitShared }
    /// The APIC access page's gfn (gfnCount), or -1; its private memslot object; APICv state.
    public let apicGfn: Int
    public let apicObj: UInt8
    public var apicvInhibited = false            // kvm->arch.apicv_inhibit_reasons != 0
    public var apicZapPending = false            // ghost: inhibited, kvm_zap_gfn_range not yet done
    public let fixes: FixSet

    // --- NX huge pages (iTLB multihit mitigation; mmu.c, tdp_mmu.c) ---
    public var nxHugePages: Bool                 // the nx_huge_pages module parameter
    /// kvm->arch.possible_nx_huge_pages (TDP MMU list, FIFO, tdp_mmu_pages_lock): each entry is a
    /// page table (SP) as root << 3 | block; `nxCount` entries are in use.
    public var nxList = InlineArray<32, UInt8>(repeating: none8)
    public var nxCount: UInt8 = 0
    /// kvm->arch.possible_nx_huge_pages[KVM_TDP_MMU].nr_pages and [KVM_SHADOW_MMU].nr_pages
    /// (6777885605e1): the counts nx_huge_pages_to_zap() reads. The model has no shadow MMU pages,
    /// so the shadow count moves only when the baseline's unaccount_nx_huge_page() decrements it
    /// for a TDP MMU page (finding nx-recovery-unaccount-wrong-mmu-type). 8 bits, wrapping as
    /// the kernel's u64 does: a schedule has at most 128 events, so it never wraps back to 0.
    public var nxPagesTDP: UInt8 = 0
    public var nxPagesShadow: UInt8 = 0
    /// Page tables that vcpu0, vcpu1 and the NX recovery thread (nxrec) hold a pointer to (NXRecovery.swift).
    public var nxWatch = InlineArray<3, UInt8>(repeating: none8)
    /// kvm->nr_memslots_dirty_logging (updated in kvm_commit_memory_region, M7).
    public var dirtyLogSlots: UInt8 = 0

    // --- actors and time ---
    public var actors = InlineArray<13, Actor>(repeating: Actor())
    public var now: UInt32 = 1                   // ghost clock: one tick per step
    public var violation: Violation? = nil
    /// Set by steps that add SPTEs or change host PTEs / attributes: the mapping oracle is a
    /// pure function of that state, so it re-runs only after such a step.
    public var mapDirty = false
    /// Likewise for the counter and range oracles: set when mmu_invalidate_*, the ghost
    /// `counted`/added ranges, mn_active_invalidate_count or the mmu_lock writer change.
    public var ctrDirty = false

    public init(config: WorldConfig = .default, variant: Variant = .none) {
        self.variant = variant
        gfnCount = min(max(config.gfnCount, Cap.hugePages), Cap.gfns) & ~(Cap.hugePages - 1)
        hvaCount = min(max(config.hvaCount, Cap.hugePages), Cap.hvas) & ~(Cap.hugePages - 1)
        seq = config.initialSeq
        zapAllOnSlotChange = config.zapAllOnSlotChange && !config.mirrorTDP
        gmemInitShared = config.gmemInitShared && !config.mirrorTDP
        gmemMmap = config.gmemMmap || gmemInitShared
        mirrorTDP = config.mirrorTDP
        adBits = config.mirrorTDP || (config.adBits && !variant.impliesNoAdBits)
        fixes = config.fixes
        nxHugePages = config.nxHugePages
        let apic = config.apicAccessPage && !config.mirrorTDP && gfnCount < Cap.gfns && hvaCount < Cap.hvas
        apicGfn = apic ? gfnCount : -1
        apicObj = apic ? UInt8(Cap.objects - 1) : none8
        if apic {
            // kvm_alloc_apic_access_page(): a KVM-private memslot, never changed by userspace.
            objs[Cap.objects - 1] = MemslotObj(state: .live, id: 3, base: UInt8(gfnCount), npages: 1,
                                               uaddr: UInt8(hvaCount), flags: 0, mixed: 0,
                                               incarnation: 0xFF, unpublishedAt: 0)
        }
        for i in 0..<Cap.actors { actors[i].kind = ActorKind.forIndex(i) }
        if config.vcpus < 2 { actors[1].kind = .absent }
        if config.notifiers < 2 { actors[3].kind = .absent }
        var o = 0
        for (id, base, npages, uaddr) in config.initialSlots where o < Cap.objects && id < 3 {
            guard Int(base) + Int(npages) <= gfnCount, Int(uaddr) + Int(npages) <= hvaCount,
                  npages > 0 else { continue }
            let gm = config.gmemSlots & (1 << id) != 0
                ? MemslotFlag.gmem | MemslotFlag.gmemBound | (gmemMmap ? MemslotFlag.gmemOnly : 0) : 0
            objs[o] = MemslotObj(state: .live, id: id, base: base, npages: npages, uaddr: uaddr,
                                 flags: gm, mixed: 0, incarnation: nextIncarnation, unpublishedAt: 0)
            nextIncarnation &+= 1
            containers[0].replace(Int(id), UInt8(o))
            containers[1].replace(Int(id), UInt8(o))
            o += 1
        }
    }

    // MARK: small helpers

    /// gfns that can have SPTEs: the user gfns, plus the APIC access page's.
    @inline(__always) public var mappedGfns: Int { apicGfn >= 0 ? gfnCount + 1 : gfnCount }
    @inline(__always) public var mappedBlocks: Int { (mappedGfns + Cap.hugePages - 1) / Cap.hugePages }

    @inline(__always) public func isPrivate(_ gfn: Int) -> Bool { privateGfns & (1 << UInt32(gfn)) != 0 }
    @inline(__always) public func isFreed(_ pfn: UInt16) -> Bool {
        pfn < UInt16(Cap.hostPfns) && freed.at(Int(pfn >> 6)) & (1 << UInt64(pfn & 63)) != 0
    }
    @inline(__always) mutating func markFreed(_ pfn: UInt16) {
        guard pfn != 0 && pfn < UInt16(Cap.hostPfns) else { return }
        freed[Int(pfn >> 6)] |= 1 << UInt64(pfn & 63)
        // I7: no vCPU TLB may still translate a gfn to a page the host frees.
        for g in 0..<mappedGfns where tlbStale[g] == pfn {
            fail(.staleTLB, .freedWithStaleTlb, actor: -1, Int64(g), Int64(pfn)); return
        }
    }
    @inline(__always) public func isHostHuge(hva: Int) -> Bool { hostHuge & (1 << UInt16(hva / Cap.hugePages)) != 0 }

    /// `__gfn_to_memslot()` on a container: the object index covering `gfn`, or `none8`.
    @inline(__always) public func lookup(container c: Int, gfn: Int) -> UInt8 {
        if gfn == apicGfn { return apicObj }
        for id in 0..<Cap.slotIDs {
            let o = containers.at(c).slot.at(id)
            if o != none8 && objs.at(Int(o)).covers(gfn) { return o }
        }
        return none8
    }

    /// Ghost: the oracle's failure reporter. The first violation wins.
    @inline(__always) mutating func fail(_ inv: Invariant, _ why: Why, actor: Int, _ a: Int64 = 0, _ b: Int64 = 0) {
        if violation == nil {
            violation = Violation(invariant: inv, why: why, actor: UInt8(truncatingIfNeeded: actor),
                                  step: now, a: a, b: b)
        }
    }

    /// Allocate a host page (or an aligned huge group). 0 when the pool is exhausted.
    mutating func allocPfn(count: Int) -> UInt16 {
        var p = Int(nextPfn)
        if count > 1 { p = (p + count - 1) & ~(count - 1) }
        guard p + count <= Cap.hostPfns else { return 0 }
        nextPfn = UInt16(p + count)
        return UInt16(p)
    }

    /// Allocate a memslot object not live and not referenced by any actor (kzalloc).
    mutating func allocObj() -> UInt8 {
        // A freed object still in guest_memfd's bindings (variant gmem-unbind-ignores-dying-file)
        // is not reused: the model keeps the dangling pointer's target observable. Likewise the
        // binding a guest_memfd invalidation is iterating over (G1-G3 `cursor`), which variant
        // gmem-unbind-without-invalidate-lock can free under it.
        outer: for o in 0..<Cap.objects where objs[o].state != .live && objs[o].flags & MemslotFlag.gmemBound == 0 {
            for a in 0..<Cap.actors {
                let x = actors[a]
                if x.slotObj == UInt8(o) || x.newObj == UInt8(o) || x.invalidObj == UInt8(o) { continue outer }
                if x.kind == .gmem && x.cursor == UInt8(o) && x.pc.gmemIterating { continue outer }
            }
            return UInt8(o)
        }
        return none8
    }
}
