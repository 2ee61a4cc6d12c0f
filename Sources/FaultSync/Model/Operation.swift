/// The model's operations: what `World.start` starts (and, with `step`, what a schedule event
/// is). The byte format and the text form of these live in Schedules/; the model depends on
/// nothing outside Model/.
/// One schedule event: start an operation (with its arguments) or step an in-flight actor.
public enum EventKind: UInt8, CaseIterable, Sendable {
    case step, fault, remap, unmap, collapse, split, create, delete, move, flags, attr, recover
    case nxToggle, signal, apicv     // format v2
    case gpcUse, gpcActivate, gpcDeactivate, punchHole, gmemRelease   // format v3
    case gmemError                   // format v4
    case nxRecover                   // format v5
    case age                         // format v7
}

/// A decoded event. Field meaning by kind:
/// - step:     x = actor index, y = repeat count (1...16)
/// - nxToggle: a write to the nx_huge_pages module parameter (no arguments)
/// - signal:   x = vcpu: a signal to that vCPU thread (ends its ioctl's retry loop with -EINTR)
/// - apicv:    f1 = inhibit (else activate): __kvm_set_or_clear_apicv_inhibit
/// - fault with y == apicGfnMarker: a fault on the APIC access page (shared; f2 = prefault)
/// - fault:    x = vcpu, y = gfn, f1 = private, f2 = prefault (KVM_PRE_FAULT_MEMORY),
///             z = 1: an instruction fetch (fault->exec; KVM_RUN only) (v5)
/// - nxRecover: one pass of the NX huge page recovery thread (kvm_recover_nx_huge_pages) (v5)
/// - remap/unmap: x = first hva page, y = pages (1...4), f1 = not blockable
/// - collapse/split: x = hva huge block, f1 = not blockable
/// - create:   x = slot id, y = base gfn, z = npages (1...8), w = uaddr page
/// - delete:   x = slot id;  move: x = slot id, y = new base gfn
/// - flags:    x = slot id, f1 = dirty logging on
/// - attr:     x = first gfn, y = pages (1...8), f1 = private
/// - recover:  x = slot id
/// - create:   f2 = KVM_MEM_GUEST_MEMFD (bound to the VM's guest_memfd at offset = base gfn) (v3)
/// - gpcUse:   a gfn_to_pfn_cache user: check, refresh while invalid, access (v3)
/// - gpcActivate: x = gfn: kvm_gpc_activate() on that gpa (a refresh with a new gpa) (v3)
/// - gpcDeactivate: kvm_gpc_deactivate() (v3)
/// - punchHole: x = first gfn (= guest_memfd page offset), y = pages (1...8):
///             fallocate(PUNCH_HOLE) on the guest_memfd (v3)
/// - gmemRelease: the last reference to the guest_memfd file is dropped: kvm_gmem_release() (v3)
/// - gmemError: x = gfn (= guest_memfd page offset): memory_failure() on the folio there, which
///             poisons it and calls kvm_gmem_error_folio() (v4)
/// - age:      x = first hva page, y = pages (1...4): the host's page aging calls the MMU
///             notifier's clear_flush_young() on that hva range (kvm_age_hva_range(): lockless,
///             under kvm->srcu) (v7)
public struct Event: Equatable, Sendable {
    public var kind: EventKind
    public var x: UInt8 = 0, y: UInt8 = 0, z: UInt8 = 0, w: UInt8 = 0
    public var f1 = false, f2 = false

    public init(kind: EventKind, x: UInt8 = 0, y: UInt8 = 0, z: UInt8 = 0, w: UInt8 = 0, f1: Bool = false, f2: Bool = false) {
        self.kind = kind; self.x = x; self.y = y; self.z = z; self.w = w; self.f1 = f1; self.f2 = f2
    }
}
