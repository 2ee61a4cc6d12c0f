#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Breadth-first parent links (for a violation's shortest schedule), kept on disk as TLC keeps
/// its trace file: record `i` (5 bytes: the parent's record index, little-endian UInt32, and the
/// move that led here) is appended for the i-th stored state and read back only to rebuild a
/// counterexample. Memory is one 64 KiB write buffer, whatever the state count. The file is an
/// unlinked temporary (`$TMPDIR`, else `/tmp`): nothing is left behind, even after a crash. If it
/// cannot be created or written (no space), the links that are not on disk yet stay in memory
/// (`inMemory`), and the search goes on.
struct ParentLog: ~Copyable {
    static let recordBytes = 5
    static let bufferRecords = 13_107  // 64 KiB
    private var fd: Int32 = -1
    /// Records appended.
    private(set) var count = 0
    /// Records on disk: `0..<flushed`; the rest are in `buffer` (or `memory`).
    private var flushed = 0
    private var buffer: UnsafeMutablePointer<UInt8>
    private var buffered = 0
    /// Links kept in memory when the file failed: parent, move, from record `flushed`.
    private var memParent: [UInt32] = []
    private var memMove: [UInt8] = []
    /// The file could not be written: links past `flushed` are kept in memory.
    private(set) var inMemory = false
    /// Tests: the file takes at most this many bytes; a write past it fails as on a full disk.
    var writeLimit = Int.max

    /// `onDisk: false`: no file (links, if any, in memory).
    init(onDisk: Bool = true) {
        buffer = .allocate(capacity: Self.bufferRecords * Self.recordBytes)
        if onDisk { fd = Self.openTemporary() }
        if fd < 0 { inMemory = true }
    }

    deinit {
        buffer.deallocate()
        if fd >= 0 { close(fd) }
    }

    static func openTemporary() -> Int32 {
        var dir = "/tmp"
        if let t = getenv("TMPDIR"), t.pointee != 0 { dir = String(cString: t) }
        var template = Array("\(dir)/faultsync-parents-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return -1 }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        return fd
    }

    /// Append the link of the next state (its index is the old `count`).
    @inline(__always) mutating func append(parent: UInt32, move: UInt8) {
        count += 1
        if inMemory { memParent.append(parent); memMove.append(move); return }
        let p = buffer + buffered * Self.recordBytes
        p[0] = UInt8(truncatingIfNeeded: parent)
        p[1] = UInt8(truncatingIfNeeded: parent >> 8)
        p[2] = UInt8(truncatingIfNeeded: parent >> 16)
        p[3] = UInt8(truncatingIfNeeded: parent >> 24)
        p[4] = move
        buffered += 1
        if buffered == Self.bufferRecords { flush() }
    }

    /// Write the buffer out; on a failed write keep its records (and every later one) in memory.
    private mutating func flush() {
        guard buffered > 0, !inMemory else { return }
        let bytes = buffered * Self.recordBytes
        var done = 0
        while done < bytes {
            let at = flushed * Self.recordBytes + done
            let allowed = min(bytes - done, writeLimit - at)
            let n = allowed <= 0 ? 0 : pwrite(fd, buffer + done, allowed, off_t(at))
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                // No space (or another error): what is not on disk moves to memory, for good.
                // Whole records only: a partly written record is rewritten from memory's copy.
                let whole = done / Self.recordBytes
                for i in whole..<buffered {
                    let r = buffer + i * Self.recordBytes
                    memParent.append(UInt32(r[0]) | UInt32(r[1]) << 8 | UInt32(r[2]) << 16 | UInt32(r[3]) << 24)
                    memMove.append(r[4])
                }
                flushed += whole
                buffered = 0
                inMemory = true
                return
            }
            done += n
        }
        flushed += buffered
        buffered = 0
    }

    /// Record `i`: its parent's index and the move from it.
    mutating func record(_ i: Int) -> (parent: UInt32, move: UInt8) {
        precondition(i < count)
        if i >= flushed {
            let k = i - flushed
            if inMemory { return (memParent[k], memMove[k]) }
            let r = buffer + k * Self.recordBytes
            return (UInt32(r[0]) | UInt32(r[1]) << 8 | UInt32(r[2]) << 16 | UInt32(r[3]) << 24, r[4])
        }
        var r = (UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0))
        let got = withUnsafeMutableBytes(of: &r) { b -> Int in
            var done = 0
            while done < Self.recordBytes {
                let n = pread(fd, b.baseAddress! + done, Self.recordBytes - done, off_t(i * Self.recordBytes + done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
            return done
        }
        guard got == Self.recordBytes else { fatalError("ParentLog: cannot read back record \(i) of the parent-link file") }
        return (UInt32(r.0) | UInt32(r.1) << 8 | UInt32(r.2) << 16 | UInt32(r.3) << 24, r.4)
    }

    /// Bytes of memory (the write buffer, and any links kept in memory).
    var memoryBytes: Int { Self.bufferRecords * Self.recordBytes + memParent.capacity * 4 + memMove.capacity }
    /// Bytes on disk.
    var diskBytes: Int { flushed * Self.recordBytes }
}
