import XCTest
@testable import FaultSync

/// The property tests' deterministic generator.
typealias SplitMix = SplitMix64
extension SplitMix64 { init(state: UInt64) { self.init(seed: state) } }

func randomBytes(_ r: inout SplitMix, maxLen: Int) -> [UInt8] {
    let n = Int(r.next() % UInt64(maxLen + 1))
    return (0..<n).map { _ in UInt8(truncatingIfNeeded: r.next()) }
}

final class DecoderTests: XCTestCase {
    /// Total: every byte string decodes and executes to a verdict without trapping, and the
    /// correct model reports nothing. 100k seeded-random inputs, plus empty and 1 MiB.
    func testTotalOnRandomInputsAndTheCorrectModelNeverViolates() {
        var r = SplitMix(state: 0xFA17_5EED)
        XCTAssertNil(Checker.check([]).violation)
        XCTAssertEqual(Schedule(bytes: []).events.count, 0)
        let big = (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: r.next()) }
        XCTAssertEqual(Schedule(bytes: big).events.count, ScheduleFormat.maxEvents)
        XCTAssertNil(Checker.check(big).violation)
        var violations = 0
        for _ in 0..<100_000 {
            let b = randomBytes(&r, maxLen: 96)
            if let v = Checker.check(b).violation {
                violations += 1
                if violations == 1 { XCTFail("correct model violated: \(v.message)\n\(Schedule(bytes: b).text)") }
            }
        }
        XCTAssertEqual(violations, 0)
    }

    func testDeterministic() {
        var r = SplitMix(state: 7)
        for _ in 0..<300 {
            let b = randomBytes(&r, maxLen: ScheduleFormat.maxInputBytes)
            for v in [Variant.none, .noSeqRecheck, .swapIgnoresMnCount, .noSynchronizeSrcu] {
                let x = Checker.check(b, variant: v), y = Checker.check(b, variant: v)
                XCTAssertEqual(x.violation, y.violation)
                XCTAssertEqual(x.steps, y.steps)
                let t1 = Report.text(for: b, variant: v, file: "f", maxSteps: nil)
                let t2 = Report.text(for: b, variant: v, file: "f", maxSteps: nil)
                XCTAssertEqual(t1, t2)
                XCTAssertEqual(Report.trace(b, variant: v).0.violation, x.violation, "trace mode and fast path agree")
            }
        }
    }

    /// Local: changing one byte changes at most the one event whose record holds it.
    func testOneByteChangeEditsOneEvent() {
        var r = SplitMix(state: 11)
        for _ in 0..<2_000 {
            var b = randomBytes(&r, maxLen: 90)
            guard b.count >= 3 else { continue }
            let before = Schedule(bytes: b).events
            let i = Int(r.next() % UInt64(b.count))
            b[i] = UInt8(truncatingIfNeeded: r.next())
            let after = Schedule(bytes: b).events
            XCTAssertEqual(before.count, after.count)
            let diff = zip(before, after).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
            XCTAssertTrue(diff.isEmpty || diff == [i / 3], "byte \(i) changed events \(diff)")
        }
    }

    /// Text round trip: bytes -> text -> bytes gives the canonical bytes, which decode to the
    /// same events and the same verdict; text -> bytes -> text is the identity.
    func testTextRoundTrip() throws {
        var r = SplitMix(state: 13)
        for _ in 0..<3_000 {
            let b = randomBytes(&r, maxLen: ScheduleFormat.maxInputBytes)
            let s = Schedule(bytes: b)
            let parsed = try Schedule(text: s.text)
            XCTAssertEqual(parsed, s)
            XCTAssertEqual(Schedule(bytes: parsed.bytes), s)
            XCTAssertEqual(Schedule(bytes: s.bytes).text, s.text)
            XCTAssertEqual(Checker.check(s.bytes).steps, Checker.check(b).steps)
        }
    }

    /// Format v1 fixtures: these bytes must keep meaning these events (never reorder opcodes).
    func testFormatV1Fixtures() {
        let fixtures: [([UInt8], String)] = [
            ([0x00, 0x02, 0x03], "step mm0 x4"),
            ([0x04, 0x08, 0x1F], "step vcpu1 x16"),
            ([0x05, 0x04, 0x00], "recover slot=1"),
            ([0x06, 0x0B, 0x03], "fault vcpu1 gfn=5 private prefault"),
            ([0x07, 0x21, 0x06], "remap hva=1 pages=3 nonblocking"),
            ([0x08, 0x03, 0x00], "unmap hva=3 pages=1"),
            ([0x09, 0x09, 0x00], "collapse block=1"),
            ([0x0A, 0x02, 0x04], "split block=2 nonblocking"),
            ([0x0B, 0x32, 0xC3], "create slot=2 gfn=12 pages=4 hva=24"),
            ([0x0C, 0x04, 0x00], "delete slot=1"),
            ([0x0D, 0x01, 0x1C], "move slot=1 gfn=12"),
            ([0x0E, 0x00, 0x01], "flags slot=0 dirty-log=on"),
            ([0x0F, 0x04, 0x09], "attr gfn=4 pages=2 private"),
            ([0x1F, 0x14, 0x00], "attr gfn=4 pages=1 shared"),
        ]
        for (b, text) in fixtures {
            XCTAssertEqual(Schedule(bytes: b).events.first?.text, text, "\(b)")
        }
        XCTAssertEqual(Schedule(bytes: [0x06, 0x0B]).events.count, 0, "a partial record is ignored")
    }

    /// Format v2 = v1 + meaning for the third byte of op 5 (v1 ignored it). These bytes must keep
    /// meaning these events; every v1 fixture above keeps its v1 meaning.
    func testFormatV3Fixtures() {
        XCTAssertEqual(ScheduleFormat.version, 7)
        let fixtures: [([UInt8], String)] = [
            ([0x05, 0x52, 0x03], "step nxrec x3"),   // v6: actor 12 is the NX recovery thread
            ([0x05, 0x04, 0x00], "recover slot=1"),
            ([0x05, 0x00, 0x01], "nx-toggle"),
            ([0x05, 0x01, 0x02], "signal vcpu1"),
            ([0x05, 0x02, 0x03], "step nx x3"),
            ([0x05, 0x1F, 0x03], "step apicv x16"),
            ([0x05, 0x2F, 0x03], "step gpc0 x16"),
            ([0x05, 0x4F, 0x03], "step gmem x16"),
            ([0x05, 0x03, 0x04], "fault vcpu1 gfn=apic shared prefault"),
            ([0x05, 0x01, 0x05], "apicv inhibit"),
            ([0x05, 0x00, 0x05], "apicv activate"),
            // v3
            ([0x05, 0x00, 0x06], "gpc use"),
            ([0x05, 0x01, 0x06], "gpc deactivate"),
            ([0x05, 0x26, 0x06], "gpc activate gfn=9"),
            ([0x05, 0x63, 0x06], "gpc activate hva=24"),
            ([0x05, 0x08, 0x0F], "punch-hole gfn=4 pages=2"),
            ([0x05, 0x01, 0x07], "gmem-release"),
            ([0x0B, 0xB2, 0x1B], "create slot=2 gfn=12 pages=4 hva=3 gmem"),
            ([0x0B, 0x32, 0x1B], "create slot=2 gfn=12 pages=4 hva=3"),
            // v4
            ([0x05, 0x02, 0x47], "gmem-error gfn=1"),
            ([0x05, 0x0A, 0xC7], "gmem-error gfn=5"),
            ([0x05, 0x08, 0x8F], "punch-hole gfn=4 pages=2"),
            // v5
            ([0x06, 0x04, 0x04], "fault vcpu0 gfn=2 shared exec"),
            ([0x06, 0x05, 0x05], "fault vcpu1 gfn=2 private exec"),
            ([0x06, 0x04, 0x06], "fault vcpu0 gfn=2 shared prefault"),
            ([0x05, 0x00, 0x08], "nx-recover"),
            ([0x05, 0x07, 0xF8], "nx-recover"),
            // v7
            ([0x05, 0x10, 0x39], "age hva=16 pages=4"),
            ([0x05, 0x01, 0x09], "age hva=1 pages=1"),
            ([0x05, 0x25, 0xC9], "age hva=5 pages=1"),     // a % 32 hvas; b>>6 ignored
            ([0x05, 0x07, 0xF1], "nx-toggle"),             // v6 meaning kept without b&8
        ]
        for (b, text) in fixtures {
            XCTAssertEqual(Schedule(bytes: b).events.first?.text, text, "\(b)")
            XCTAssertEqual(try Schedule(text: text).events, Schedule(bytes: b).events, text)
        }
        // v2 text is v3 text: "step actor9" named a slot v3 calls gpc0.
        XCTAssertEqual(try Schedule(text: "step actor9 x2").events, try Schedule(text: "step gpc0 x2").events)
    }

    /// `faultsync migrate`: a v1 input whose ignored byte was set means under v2 what it meant
    /// under v1 once migrated; nothing else changes.
    func testMigrationKeepsV1Meaning() {
        let v1: [UInt8] = [0x05, 0x04, 0x01, 0x25, 0x02, 0xFF, 0x06, 0x0B, 0x03, 0x05]
        let v2 = FormatMigration.v1ToV2(v1)
        XCTAssertEqual(v2, [0x05, 0x04, 0x00, 0x25, 0x02, 0x00, 0x06, 0x0B, 0x03, 0x05])
        XCTAssertEqual(Schedule(bytes: v2).events.map(\.text), ["recover slot=1", "recover slot=2", "fault vcpu1 gfn=5 private prefault"])
    }

    /// v2 -> v3: op-5 records with b&7 = 6 or 7 were recover under v2; a create's a&128 was part
    /// of its base gfn (mod the world's gfns). Migrated, they mean what they meant.
    func testMigrationKeepsV2Meaning() {
        let v2: [UInt8] = [0x05, 0x04, 0x06, 0x15, 0x05, 0x07, 0x0B, 0xB2, 0x1B, 0x06, 0x0B, 0x03, 0x07]
        let v3 = FormatMigration.v2ToV3(v2)
        XCTAssertEqual(Schedule(bytes: v3).events.map(\.text),
                       ["recover slot=1", "recover slot=2", "create slot=2 gfn=12 pages=4 hva=3", "fault vcpu1 gfn=5 private prefault"])
        XCTAssertEqual(Array(v3.suffix(1)), [0x07], "a trailing partial record is kept")
        // In a 12-gfn world, a>>2 = 44 meant gfn 44 % 12 = 8 under v2.
        let g = Geometry(gfns: 12, hvas: 32)
        let m = FormatMigration.v2ToV3([0x0B, 0xB2, 0x1B], geometry: g)
        XCTAssertEqual(Schedule(bytes: m, geometry: g).events.first?.text, "create slot=2 gfn=8 pages=4 hva=3")
        // Every v3 byte string that means nothing new migrates to itself.
        XCTAssertEqual(FormatMigration.v2ToV3([0x06, 0x0B, 0x03]), [0x06, 0x0B, 0x03])
    }

    /// v4 -> v5: bit 3 of an op-5 recover record's third byte and bit 2 of a fault record's third
    /// byte were ignored under v4 (v5: nx-recover, exec); migrated, the records mean what they
    /// meant. Other records are unchanged.
    func testMigrationKeepsV4Meaning() {
        let v4: [UInt8] = [0x05, 0x04, 0x08, 0x06, 0x0B, 0x07, 0x06, 0x04, 0x04, 0x05, 0x08, 0x0F, 0x06]
        XCTAssertEqual(Schedule(bytes: v4).events.map(\.text),
                       ["nx-recover", "fault vcpu1 gfn=5 private prefault", "fault vcpu0 gfn=2 shared exec", "punch-hole gfn=4 pages=2"],
                       "v5 reads the ignored bits")
        let v5 = FormatMigration.v4ToV5(v4)
        XCTAssertEqual(v5, [0x05, 0x04, 0x00, 0x06, 0x0B, 0x03, 0x06, 0x04, 0x00, 0x05, 0x08, 0x0F, 0x06])
        XCTAssertEqual(Schedule(bytes: v5).events.map(\.text),
                       ["recover slot=1", "fault vcpu1 gfn=5 private prefault", "fault vcpu0 gfn=2 shared", "punch-hole gfn=4 pages=2"])
        let e = try! Schedule(text: "fault vcpu0 gfn=3 shared exec\nnx-recover").events
        XCTAssertEqual(Schedule(bytes: Schedule(events: e).bytes).events, e)
        XCTAssertThrowsError(try Schedule(text: "fault vcpu0 gfn=3 shared exec prefault"))
    }

    /// v6 -> v7: bit 3 of an op-5 nx_huge_pages toggle record's third byte was ignored under v6
    /// (v7: page aging); migrated, the record is the toggle it was. Other records, the toggle's
    /// other ignored bits and a trailing partial record are unchanged.
    func testMigrationKeepsV6Meaning() {
        let v6: [UInt8] = [0x05, 0x10, 0x39, 0x05, 0x07, 0xF1, 0x05, 0x04, 0x08, 0x15, 0x02, 0x09, 0x06]
        XCTAssertEqual(Schedule(bytes: v6).events.map(\.text), ["age hva=16 pages=4", "nx-toggle", "nx-recover", "age hva=2 pages=1"],
                       "v7 reads the ignored bit as page aging")
        let v7 = FormatMigration.v6ToV7(v6)
        XCTAssertEqual(v7, [0x05, 0x10, 0x31, 0x05, 0x07, 0xF1, 0x05, 0x04, 0x08, 0x15, 0x02, 0x01, 0x06])
        XCTAssertEqual(Schedule(bytes: v7).events.map(\.text), ["nx-toggle", "nx-toggle", "nx-recover", "nx-toggle"])
        let e = try! Schedule(text: "age hva=3 pages=2\nage hva=31 pages=4").events
        XCTAssertEqual(Schedule(bytes: Schedule(events: e).bytes).events, e)
        XCTAssertThrowsError(try Schedule(text: "age hva=3 pages=5"))
    }

    /// v3 -> v4: bit 6 of an op-5 punch-hole record's third byte was ignored under v3 (v4:
    /// gmem-error); migrated, the record is the punch hole it was. Release records and other
    /// records are unchanged.
    func testMigrationKeepsV3Meaning() {
        let v3: [UInt8] = [0x05, 0x02, 0x4F, 0x05, 0x03, 0x47, 0x05, 0x04, 0x47, 0x06, 0x0B]
        XCTAssertEqual(Schedule(bytes: v3).events.map(\.text), ["gmem-error gfn=1", "gmem-release", "gmem-error gfn=2"],
                       "v4 reads the ignored bit as gmem-error")
        let v4 = FormatMigration.v3ToV4(v3)
        XCTAssertEqual(v4, [0x05, 0x02, 0x0F, 0x05, 0x03, 0x47, 0x05, 0x04, 0x07, 0x06, 0x0B])
        XCTAssertEqual(Schedule(bytes: v4).events.map(\.text), ["punch-hole gfn=1 pages=2", "gmem-release", "punch-hole gfn=2 pages=1"])
        XCTAssertEqual(FormatMigration.v3ToV4([0x06, 0x0B, 0x43]), [0x06, 0x0B, 0x43])
        // gmem-error round-trips through its canonical record.
        let e = try! Schedule(text: "gmem-error gfn=5").events
        XCTAssertEqual(Schedule(bytes: Schedule(events: e).bytes).events, e)
    }

    func testTextErrorsHaveLineAndColumn() {
        XCTAssertThrowsError(try Schedule(text: "fault vcpu0 gfn=1 shared\n  fualt vcpu0 gfn=1 shared\n")) { e in
            let p = e as! ScheduleParseError
            XCTAssertEqual(p.line, 2); XCTAssertEqual(p.column, 3)
            XCTAssertTrue(p.description.hasPrefix("2:3: error: unknown event 'fualt'; did you mean 'fault'?"), p.description)
        }
        XCTAssertThrowsError(try Schedule(text: "fault vcpu0 gfn=99 shared\n")) { e in
            let p = e as! ScheduleParseError
            XCTAssertEqual(p.column, 13, p.description)
            XCTAssertTrue(p.message.contains("gfn=99 is out of range"), p.message)
        }
        XCTAssertThrowsError(try Schedule(text: "step vcpuO x2\n")) { e in
            XCTAssertTrue((e as! ScheduleParseError).message.contains("did you mean 'vcpu0'"), "\(e)")
        }
        XCTAssertThrowsError(try Schedule(text: "fault vcpu0 gfn=1\n")) { e in
            XCTAssertEqual((e as! ScheduleParseError).column, 18, "missing word: the end of the line")
        }
    }

    func testTextErrorsNameTheLine() {
        XCTAssertThrowsError(try Schedule(text: "fault vcpu0 gfn=1 shared\nfrobnicate\n")) { e in
            XCTAssertEqual((e as? ScheduleParseError)?.line, 2)
        }
        XCTAssertThrowsError(try Schedule(text: "fault vcpu0 gfn=99 shared"))
        XCTAssertThrowsError(try Schedule(text: "step vcpu0 x17"))
        XCTAssertNoThrow(try Schedule(text: "# only a comment\n\n  step vcpu0   # trailing\n"))
    }
}
