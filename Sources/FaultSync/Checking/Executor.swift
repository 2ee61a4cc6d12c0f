/// The result of running one input.
public struct Verdict: Sendable {
    public var violation: Violation?
    public var events: Int          // events decoded
    public var steps: Int           // atomic steps taken (schedule + drain)
}

/// Sees every event and step; `NoObserver` compiles away, `TraceRecorder` keeps a trace.
public protocol StepObserver {
    mutating func event(_ index: Int, _ e: Event, accepted: Bool, world: World)
    mutating func willStep(_ actor: Int, world: World)
    mutating func didStep(_ actor: Int, world: World)
    /// The schedule's events are done; the steps that follow come from the round-robin drain.
    mutating func drainStarts(world: World)
}

extension StepObserver {
    @inline(__always) public mutating func drainStarts(world: World) {}
}

public struct NoObserver: StepObserver {
    public init() {}
    @inline(__always) public mutating func event(_ index: Int, _ e: Event, accepted: Bool, world: World) {}
    @inline(__always) public mutating func willStep(_ actor: Int, world: World) {}
    @inline(__always) public mutating func didStep(_ actor: Int, world: World) {}
}

/// The single door used by the fuzz shim, the CLI and the tests:
/// bytes -> decode -> execute(variant) -> oracles after every step -> drain -> verdict.
public enum Checker {
    /// Rounds of round-robin draining after which a still-busy world is a liveness failure.
    public static let drainRounds = 1500

    public static func check(_ bytes: [UInt8], variant: Variant = .none, config: WorldConfig = .default) -> Verdict {
        var o = NoObserver()
        return bytes.withUnsafeBytes { run($0, variant: variant, config: config, observer: &o) }
    }

    @inline(__always)
    public static func run<O: StepObserver>(_ bytes: UnsafeRawBufferPointer, variant: Variant,
                                            config: WorldConfig, observer: inout O) -> Verdict {
        var w = World(config: config, variant: variant)
        return execute(bytes, world: &w, observer: &observer)
    }

    /// `run` with no observer, compiled here where `NoObserver` is known: the fuzz target's door.
    /// Called across the module boundary, the generic `run` is not specialized (it is not
    /// `@inlinable`), and the unspecialized code copied the whole `World` (3.5 KB) around every
    /// observer call, that is on every step: 22 % of the fuzzer's time on 2026-11-28 (perf).
    public static func runUnobserved(_ bytes: UnsafeRawBufferPointer, variant: Variant, config: WorldConfig) -> Verdict {
        var o = NoObserver()
        return run(bytes, variant: variant, config: config, observer: &o)
    }

    /// Run a schedule to the end and return the final world too (tests and tools).
    public static func finalWorld(_ bytes: [UInt8], variant: Variant = .none, config: WorldConfig = .default) -> (Verdict, World) {
        var w = World(config: config, variant: variant)
        var o = NoObserver()
        let v = bytes.withUnsafeBytes { execute($0, world: &w, observer: &o) }
        return (v, w)
    }

    @inline(__always)
    public static func execute<O: StepObserver>(_ bytes: UnsafeRawBufferPointer, world w: inout World,
                                                observer: inout O) -> Verdict {
        let g = Geometry(gfns: w.gfnCount, hvas: w.hvaCount)
        var steps = 0
        var idx = 0
        var i = 0
        let n = bytes.count
        schedule: while i + ScheduleFormat.recordSize <= n && idx < ScheduleFormat.maxEvents {
            let e = ScheduleFormat.decode(bytes[i], bytes[i + 1], bytes[i + 2], g)
            i += ScheduleFormat.recordSize
            if e.kind == .step {
                observer.event(idx, e, accepted: true, world: w)
                let a = Int(e.x)
                var k = 0
                while k < Int(e.y) && a < Cap.actors && w.runnable(a) {
                    observer.willStep(a, world: w)
                    w.step(a)
                    w.checkStep()
                    observer.didStep(a, world: w)
                    steps += 1
                    k += 1
                    if w.violation != nil { break schedule }
                }
            } else {
                let ok = w.start(e)
                observer.event(idx, e, accepted: ok, world: w)
            }
            idx += 1
        }
        if w.violation == nil {
            if w.anyBusy { observer.drainStarts(world: w) }
            steps += drain(&w, observer: &observer)
        }
        if w.violation == nil { w.checkQuiescent() }
        return Verdict(violation: w.violation, events: idx, steps: steps)
    }

    /// The end of every schedule: step every runnable actor round-robin until all finish.
    /// No runnable actor while some are busy is a deadlock; not finishing in `drainRounds`
    /// rounds is a livelock (or a deadlock through SRCU, when synchronize_srcu waits for a
    /// reader that loops).
    @inline(__always)
    static func drain<O: StepObserver>(_ w: inout World, observer: inout O) -> Int {
        var steps = 0
        var rounds = 0
        while w.anyBusy {
            var progressed = false
            for j in 0..<Cap.actors {
                let a = drainActor(j)
                guard w.runnable(a) else { continue }
                observer.willStep(a, world: w)
                w.step(a)
                w.checkStep()
                observer.didStep(a, world: w)
                steps += 1
                progressed = true
                if w.violation != nil { return steps }
            }
            if !progressed {
                if !failIfSignalEndsIt(&w) {
                    var busy: Int64 = 0, first = -1
                    for j in 0..<Cap.actors where w.actors[drainActor(j)].busy { busy += 1; if first < 0 { first = drainActor(j) } }
                    w.fail(.deadlock, .noRunnable, actor: first, busy)
                }
                w.violation?.step = w.now &- 1   // liveness verdicts name the last step taken
                return steps
            }
            rounds += 1
            if rounds >= drainRounds {
                classifyStuck(&w)
                w.violation?.step = w.now &- 1
                return steps
            }
        }
        return steps
    }

    /// The drain's round-robin order: the actors by index, except that the NX recovery thread
    /// (12, format v6) comes right after the `nx_huge_pages` toggle (7), where its passes ran
    /// until format v5. A v5 schedule that `faultsync migrate` rewrites (its recovery steps
    /// moved to actor 12) then drains in the same order, step for step: in a v5 schedule the
    /// two never both have work.
    @inline(__always) static func drainActor(_ j: Int) -> Int {
        j < 8 ? j : (j == 8 ? 12 : j - 1)
    }

    static func classifyStuck(_ w: inout World) {
        if failIfSignalEndsIt(&w) { return }
        for a in 0..<Cap.actors where w.actors[a].pc == .wSync {
            let r = w.readerBefore(w.actors[a].syncFrom)
            if r >= 0 && w.actors[r].busy && w.actors[r].retries > 0 {
                w.fail(.deadlock, .srcuWaitsForLoopingReader, actor: r)
                return
            }
        }
        var worst = 0
        for a in 0..<Cap.actors where w.actors[a].retries > w.actors[worst].retries { worst = a }
        w.fail(.livelock, .retryBound, actor: worst, Int64(w.actors[worst].retries))
    }

    /// Liveness verdicts distinguish a hang that a signal ends from a true deadlock/livelock:
    /// on a copy of the stuck world, every vCPU inside KVM_PRE_FAULT_MEMORY gets a signal
    /// (its loops check signal_pending() and return -EINTR; userspace may then retry the
    /// ioctl afresh). If every actor then finishes cleanly, the verdict is hang-until-signal.
    /// A KVM_RUN fault is not signalled: re-entering the guest would fault the same way again.
    static func failIfSignalEndsIt(_ w: inout World) -> Bool {
        var c = w
        var first = -1
        for a in 0..<Cap.actors where c.actors[a].kind == .vcpu && c.actors[a].busy && c.actors[a].isPrefault {
            c.actors[a].signalPending = true
            if first < 0 { first = a }
        }
        guard first >= 0 else { return false }
        var rounds = 0
        while c.anyBusy {
            var progressed = false
            for j in 0..<Cap.actors {
                let a = drainActor(j)
                guard c.runnable(a) else { continue }
                c.step(a)
                c.checkStep()
                progressed = true
                if c.violation != nil { return false }
            }
            rounds += 1
            if !progressed || rounds >= drainRounds { return false }
        }
        c.checkQuiescent(bookkeeping: false)
        if c.violation != nil { return false }
        var waiter = -1
        for a in 0..<Cap.actors where w.actors[a].pc == .wSync && w.readerBefore(w.actors[a].syncFrom) == first {
            waiter = a
        }
        w.fail(.hangUntilSignal, .spinsUntilSignal, actor: first, Int64(w.actors[first].retries), Int64(waiter))
        return true
    }
}
