#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Qualified, because the type below has a method of the same name.
#if canImport(Glibc)
private let systemRead = Glibc.read
#else
private let systemRead = Darwin.read
#endif

/// A source of bytes read front to back: a file (buffered POSIX reads) or memory.
///
/// Reads never allocate more than asked and never more than a fixed buffer, whatever a file
/// claims about its own size.
public final class ByteSource {
    private enum Backing { case file(Int32), memory([UInt8]) }
    private var backing: Backing
    public let name: String
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    /// Bytes consumed so far.
    public private(set) var position: Int = 0
    private var eof = false
    /// Total size when known (regular files and memory), else nil (pipes).
    public let size: Int?

    private static let chunk = 1 << 16

    public init(path: String) throws(FileError) {
        let fd = OutputKind.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .cannotOpen(path: path, reason: errnoString()) }
        var st = stat()
        if fstat(fd, &st) != 0 { close(fd); throw .cannotOpen(path: path, reason: errnoString()) }
        if (st.st_mode & S_IFMT) == S_IFDIR { close(fd); throw .cannotOpen(path: path, reason: "is a directory") }
        backing = .file(fd)
        name = path
        size = (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : nil
    }

    public init(bytes: [UInt8], name: String = "<memory>") {
        backing = .memory(bytes)
        self.name = name
        size = bytes.count
        buffer = bytes
        eof = true
    }

    deinit { if case .file(let fd) = backing { close(fd) } }

    private var available: Int { buffer.count - bufferStart }

    private func fill(_ wanted: Int) throws(FileError) {
        guard case .file(let fd) = backing else { return }
        while available < wanted && !eof {
            if bufferStart > 0 {
                buffer.removeFirst(bufferStart)
                bufferStart = 0
            }
            let want = max(ByteSource.chunk, wanted - available)
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: want))
            let n = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress! + old, want) }
            if n < 0 {
                buffer.removeLast(want)
                if errno == EINTR { continue }
                throw .readFailed(path: name, reason: errnoString())
            }
            buffer.removeLast(want - n)
            if n == 0 { eof = true }
        }
    }

    /// Up to `count` bytes; fewer only at end of input.
    public func read(upTo count: Int) throws(FileError) -> [UInt8] {
        precondition(count >= 0)
        if count > ByteSource.chunk * 16 {
            // Large reads go in pieces so that a forged length costs no more than the file holds.
            var out: [UInt8] = []
            while out.count < count {
                let piece = try read(upTo: min(ByteSource.chunk * 16, count - out.count))
                if piece.isEmpty { break }
                out += piece
            }
            return out
        }
        try fill(count)
        let n = min(count, available)
        let out = Array(buffer[bufferStart ..< bufferStart + n])
        bufferStart += n
        position += n
        if case .memory = backing {} else if bufferStart > ByteSource.chunk * 4 {
            buffer.removeFirst(bufferStart); bufferStart = 0
        }
        return out
    }

    /// Exactly `count` bytes, or nil if the input ends first (the bytes read are consumed).
    public func read(exactly count: Int) throws(FileError) -> [UInt8]? {
        let b = try read(upTo: count)
        return b.count == count ? b : nil
    }

    /// Skips up to `count` bytes; returns how many were skipped. A regular file is seeked over
    /// (`lseek`, up to its current end), so the skipped bytes are never read; a pipe is read and
    /// the bytes discarded.
    @discardableResult
    public func skip(_ count: Int) throws(FileError) -> Int {
        var left = count
        let buffered = min(left, available)
        bufferStart += buffered
        position += buffered
        left -= buffered
        if left > 0, size != nil, !eof, case .file(let fd) = backing {
            var st = stat()
            let here = lseek(fd, 0, SEEK_CUR)
            if here >= 0, fstat(fd, &st) == 0 {
                let n = min(left, max(0, Int(st.st_size) - Int(here)))
                if lseek(fd, off_t(n), SEEK_CUR) >= 0 {
                    position += n
                    left -= n
                }
            }
        }
        while left > 0 {
            try fill(min(left, ByteSource.chunk))
            let n = min(left, available)
            if n == 0 { break }
            bufferStart += n
            position += n
            left -= n
        }
        return count - left
    }

    /// Up to `count` bytes at absolute `offset`, without moving `position`: only for inputs of
    /// known size (regular files and memory; `size != nil`), to look at what lies past the part
    /// being read (a WAV's chunks after `data`). Reads in pieces, so that a forged `count` costs
    /// no more than the input holds.
    public func read(at offset: Int, upTo count: Int) throws(FileError) -> [UInt8] {
        precondition(size != nil && offset >= 0 && count >= 0, "read(at:) needs an input of known size")
        let n = max(0, min(count, size! - offset))
        switch backing {
        case .memory(let bytes):
            return Array(bytes[offset ..< offset + n])
        case .file(let fd):
            var out = [UInt8](repeating: 0, count: n)
            var done = 0
            while done < n {
                let got = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, n - done, off_t(offset + done)) }
                if got < 0 {
                    if errno == EINTR { continue }
                    throw .readFailed(path: name, reason: errnoString())
                }
                if got == 0 { break }
                done += got
            }
            if done < n { out.removeLast(n - done) }
            return out
        }
    }

    /// True when no byte is left.
    public func atEnd() throws(FileError) -> Bool {
        try fill(1)
        return available == 0
    }
}
