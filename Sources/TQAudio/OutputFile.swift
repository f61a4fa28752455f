#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Qualified, because the type below has a method of the same name.
#if canImport(Glibc)
private let systemWrite = Glibc.write
#else
private let systemWrite = Darwin.write
#endif

/// Errors from opening, writing or committing an output file.
public enum FileError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case exists(path: String)
    case sameAsInput(path: String)
    case writeFailed(path: String, reason: String)
    case readFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let p, let r): "cannot open \(p): \(r)"
        case .exists(let p): "\(p) exists; pass --force to replace it"
        case .sameAsInput(let p): "\(p) is the input file; choose another output"
        case .writeFailed(let p, let r): "cannot write \(p): \(r)"
        case .readFailed(let p, let r): "cannot read \(p): \(r)"
        }
    }
}

func errnoString() -> String { String(cString: strerror(errno)) }

/// An output file that appears under its final name only when complete.
///
/// Bytes go to a temporary file beside the destination (`.NAME.tmp-PID-N`); `commit()` flushes
/// and renames it over the destination. If the writer is dropped or `abort()`ed before
/// `commit()`, the temporary file is removed and the destination is untouched. A process killed
/// with SIGKILL may leave the temporary file, never a partial file under the final name.
public final class OutputFile {
    public let path: String
    let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var committed = false
    /// Bytes written so far (the logical end of the file).
    public private(set) var offset: Int = 0

    private static let bufferLimit = 1 << 18
    nonisolated(unsafe) private static var counter = 0

    /// Opens a temporary file for `path`. Throws `.exists` when `path` exists and `overwrite` is false.
    public init(path: String, overwrite: Bool) throws(FileError) {
        if !overwrite && access(path, F_OK) == 0 { throw .exists(path: path) }
        self.path = path
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        OutputFile.counter += 1
        temporaryPath = "\(dir).\(name).tmp-\(getpid())-\(OutputFile.counter)"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw .cannotOpen(path: path, reason: errnoString()) }
        OutputFileRegistry.add(temporaryPath)
    }

    deinit { if !committed { abort() } }

    /// Appends `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(FileError) {
        buffer.append(contentsOf: bytes)
        offset += bytes.count
        if buffer.count >= OutputFile.bufferLimit { try flush() }
    }

    public func write(_ bytes: [UInt8]) throws(FileError) {
        do { try bytes.withUnsafeBytes { raw in try self.write(raw) } } catch let e as FileError { throw e } catch { fatalError("unreachable") }
    }

    /// Overwrites bytes at `position` (which must be below `offset`), e.g. to patch a header.
    public func patch(_ bytes: [UInt8], at position: Int) throws(FileError) {
        precondition(position >= 0 && position + bytes.count <= offset, "patch outside written range")
        try flush()
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(position)) }
        if n != bytes.count { throw .writeFailed(path: path, reason: errnoString()) }
    }

    func flush() throws(FileError) {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .writeFailed(path: path, reason: errnoString())
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames the temporary file to `path`.
    public func commit() throws(FileError) {
        try flush()
        if fsync(fd) != 0 && errno != EINVAL { throw .writeFailed(path: path, reason: errnoString()) }
        close(fd)
        fd = -1
        if rename(temporaryPath, path) != 0 {
            let reason = errnoString()
            unlink(temporaryPath)
            OutputFileRegistry.remove(temporaryPath)
            committed = true
            throw .writeFailed(path: path, reason: reason)
        }
        OutputFileRegistry.remove(temporaryPath)
        committed = true
    }

    /// Discards everything written; the destination is untouched.
    public func abort() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temporaryPath)
        OutputFileRegistry.remove(temporaryPath)
        committed = true
    }
}

/// Temporary files in flight, so that a SIGINT/SIGTERM handler can remove them before exit.
///
/// The paths live in a fixed table of C strings allocated once, so that `removeAll()` does
/// nothing but read that table and call `unlink`: no lock, no allocation, no reference counting,
/// which is what a signal handler may do. `add`/`remove` (outside handlers) take a lock among
/// themselves; a slot is filled before it is marked used, and cleared after it is marked free.
public enum OutputFileRegistry {
    static let slotCount = 64
    static let slotBytes = 4096
    nonisolated(unsafe) private static let table: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: slotCount * slotBytes)
        p.initialize(repeating: 0, count: slotCount * slotBytes)
        return p
    }()
    /// 1 where a slot holds a path.
    nonisolated(unsafe) private static let used: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: slotCount)
        p.initialize(repeating: 0, count: slotCount)
        return p
    }()
    private static let lock = Mutex()

    static func add(_ path: String) {
        let bytes = Array(path.utf8)
        guard bytes.count < slotBytes else { return }
        lock.locked {
            _ = table  // allocate before any handler can run
            for i in 0..<slotCount where used[i] == 0 {
                let slot = table + i * slotBytes
                for (k, b) in bytes.enumerated() { slot[k] = CChar(bitPattern: b) }
                slot[bytes.count] = 0
                used[i] = 1
                return
            }
        }
    }

    static func remove(_ path: String) {
        lock.locked {
            for i in 0..<slotCount where used[i] == 1 && String(cString: table + i * slotBytes) == path {
                used[i] = 0
                return
            }
        }
    }

    /// Allocates the table; call before installing a handler that calls `removeAll()`.
    public static func prepare() { _ = table; _ = used }

    /// Removes every temporary file in flight. Async-signal-safe: called from signal handlers.
    public static func removeAll() {
        for i in 0..<slotCount where used[i] == 1 {
            unlink(table + i * slotBytes)
            used[i] = 0
        }
    }
}

final class Mutex: @unchecked Sendable {
    private var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    deinit { pthread_mutex_destroy(&m) }
    func locked<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(&m)
        defer { pthread_mutex_unlock(&m) }
        return try body()
    }
}
