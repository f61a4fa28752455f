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
        case .exists(let p): "\(p) exists"
        case .sameAsInput(let p): "\(p) is the input file; choose another output"
        case .writeFailed(let p, let r): "cannot write \(p): \(r)"
        case .readFailed(let p, let r): "cannot read \(p): \(r)"
        }
    }
}

func errnoString() -> String { String(cString: strerror(errno)) }

/// What an output path names, following symlinks (`stat`, not `lstat`: a symlink to a device
/// is the device), and so how `OutputFile` writes it.
public enum OutputKind: Equatable, Sendable {
    /// Nothing yet: written to a temporary file and renamed into place.
    case absent
    /// A regular file (or a directory, or anything else that holds data under its name):
    /// replaced by rename, only with `overwrite`.
    case replaceable
    /// A FIFO, character device or socket, or a path naming an open descriptor (`/dev/stdout`,
    /// `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`) whatever it is: opened and written in
    /// place, never replaced; writing it replaces nothing, so `overwrite` is not needed.
    case stream
    /// A block device: written in place, never replaced; it holds data, so only with `overwrite`.
    case blockDevice

    /// Paths that name the caller's open descriptors, not files of their own.
    static let descriptorPaths = ["/dev/stdout", "/dev/stderr"]
    static let descriptorDirectories = ["/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/"]

    public init(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            // A dangling symlink or an unreadable directory: leave it to open/rename to report.
            self = lstat(path, &st) == 0 ? .replaceable : .absent
            return
        }
        if OutputKind.descriptorPaths.contains(path) || OutputKind.descriptorDirectories.contains(where: { path.hasPrefix($0) }) {
            self = .stream
            return
        }
        switch st.st_mode & S_IFMT {
        case S_IFIFO, S_IFCHR, S_IFSOCK: self = .stream
        case S_IFBLK: self = .blockDevice
        default: self = .replaceable
        }
    }

    /// The descriptor a descriptor path names (`/dev/stdin` 0, `/dev/stdout` 1, `/dev/stderr` 2,
    /// `/dev/fd/N` and `/proc/self/fd/N` N), or nil.
    static func descriptorNumber(_ path: String) -> Int32? {
        switch path {
        case "/dev/stdin": return 0
        case "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            guard let dir = (descriptorDirectories.first { path.hasPrefix($0) }) else { return nil }
            return Int32(path.dropFirst(dir.count))
        }
    }

    /// Opens `path` with `flags`; a descriptor path that cannot be opened anew (Linux refuses to
    /// reopen a socket through /proc, ENXIO) is duplicated instead. -1 with `errno` on failure.
    static func open(_ path: String, _ flags: Int32) -> Int32 {
        #if canImport(Glibc)
        let fd = Glibc.open(path, flags)
        #else
        let fd = Darwin.open(path, flags)
        #endif
        guard fd < 0, errno == ENXIO, let n = descriptorNumber(path) else { return fd }
        return fcntl(n, F_DUPFD_CLOEXEC, 0)
    }

    /// Whether writing replaces or overwrites data that is there (then `overwrite` is needed).
    public var needsOverwrite: Bool { self == .replaceable || self == .blockDevice }
    /// Whether the output is written straight to the path rather than renamed into place.
    public var isInPlace: Bool { self == .stream || self == .blockDevice }
}

/// An output file that appears under its final name only when complete, or, for a FIFO, device
/// or descriptor path (`OutputKind.stream`), is written straight to it.
///
/// Regular files: bytes go to a temporary file beside the destination (`.NAME.tmp-PID-N`);
/// `commit()` flushes and renames it over the destination. If the writer is dropped or
/// `abort()`ed before `commit()`, the temporary file is removed and the destination is untouched.
/// A process killed with SIGKILL may leave the temporary file, never a partial file under the
/// final name.
///
/// In place (`isInPlace`): the path is opened for writing as it is (no temporary file, no
/// rename), so a FIFO stays a FIFO and `/dev/null` stays a device; what was written before an
/// `abort()` has already reached the reader. Such outputs are usually not seekable
/// (`isSeekable`), and `patch` must then not be called.
public final class OutputFile {
    public let path: String
    /// What `path` named when it was opened.
    public let kind: OutputKind
    /// Whether `patch` can rewrite written bytes: true for regular files (the temporary file, or
    /// a regular file reached through a descriptor path), false for pipes, sockets and devices.
    public let isSeekable: Bool
    /// The temporary file renamed to `path` by `commit()`; nil when written in place.
    let temporaryPath: String?
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var committed = false
    /// Whether `commit()` may replace a destination that exists by then.
    private let overwrite: Bool
    /// Bytes written so far (the logical end of the file).
    public private(set) var offset: Int = 0

    private static let bufferLimit = 1 << 18
    nonisolated(unsafe) private static var counter = 0

    /// Opens `path` for writing: a temporary file beside it, or `path` itself when it is a FIFO,
    /// device or descriptor path. Throws `.exists` when `path` holds data (a regular file, a
    /// block device) and `overwrite` is false.
    public init(path: String, overwrite: Bool) throws(FileError) {
        let kind = OutputKind(path: path)
        if !overwrite && kind.needsOverwrite { throw .exists(path: path) }
        self.path = path
        self.kind = kind
        self.overwrite = overwrite
        if kind.isInPlace {
            temporaryPath = nil
            fd = OutputKind.open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)
            if fd < 0 { throw .cannotOpen(path: path, reason: errnoString()) }
            var st = stat()
            let regular = fstat(fd, &st) == 0 && st.st_mode & S_IFMT == S_IFREG
            // A regular file reached through `/dev/stdout` and the like: start it afresh.
            if regular && ftruncate(fd, 0) != 0 {
                let reason = errnoString()
                close(fd)
                throw .cannotOpen(path: path, reason: reason)
            }
            isSeekable = regular
            return
        }
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        OutputFile.counter += 1
        let temporary = "\(dir).\(name).tmp-\(getpid())-\(OutputFile.counter)"
        temporaryPath = temporary
        isSeekable = true
        fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw .cannotOpen(path: path, reason: errnoString()) }
        OutputFileRegistry.add(temporary)
    }

    /// Whether `path` is written in place rather than renamed into place.
    public var isInPlace: Bool { temporaryPath == nil }

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
    /// Only when `isSeekable`.
    public func patch(_ bytes: [UInt8], at position: Int) throws(FileError) {
        precondition(isSeekable, "patch on an output that cannot seek")
        precondition(position >= 0 && position + bytes.count <= offset, "patch outside written range")
        try flush()
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(position)) }
        if n != bytes.count { throw .writeFailed(path: path, reason: errnoString()) }
    }

    /// Writes out what is buffered (at most 256 KB are held otherwise).
    public func flush() throws(FileError) {
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

    /// Flushes, syncs and renames the temporary file to `path` (in place: flushes and closes).
    ///
    /// Without `overwrite` the rename does not replace: if `path` appeared since `init` (another
    /// process, or a second writer to the same path), throws `.exists`, removes the temporary
    /// file and leaves `path` as it is.
    public func commit() throws(FileError) {
        try flush()
        // Pipes and sockets cannot be synced (EINVAL); what was written has reached them.
        if fsync(fd) != 0 && errno != EINVAL { throw .writeFailed(path: path, reason: errnoString()) }
        close(fd)
        fd = -1
        guard let temporaryPath else {
            committed = true
            return
        }
        let renamed = overwrite ? rename(temporaryPath, path) == 0 : OutputFile.renameNoReplace(temporaryPath, path)
        if !renamed {
            let exists = errno == EEXIST
            let reason = errnoString()
            unlink(temporaryPath)
            OutputFileRegistry.remove(temporaryPath)
            committed = true
            throw exists ? .exists(path: path) : .writeFailed(path: path, reason: reason)
        }
        OutputFileRegistry.remove(temporaryPath)
        committed = true
    }

    /// Discards everything written; the destination is untouched. In place, what was written
    /// has already reached the reader: the output is only closed.
    public func abort() {
        if fd >= 0 { close(fd); fd = -1 }
        if let temporaryPath {
            unlink(temporaryPath)
            OutputFileRegistry.remove(temporaryPath)
        }
        committed = true
    }
}

extension OutputFile {
    #if os(Linux)
    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    /// glibc's `renameat2` (2.28+), looked up at run time: Swift's Glibc module does not export it.
    nonisolated(unsafe) private static let renameat2: RenameAt2? = dlsym(nil, "renameat2").map { unsafeBitCast($0, to: RenameAt2.self) }
    private static let renameNoReplaceFlag: UInt32 = 1  // RENAME_NOREPLACE
    #endif

    /// Renames `from` to `to` unless `to` exists, atomically: `renameat2(RENAME_NOREPLACE)`, or
    /// where the kernel or file system lacks it (EINVAL, ENOSYS), `link` (which fails with EEXIST
    /// atomically) then `unlink(from)`. False with `errno` set on failure (EEXIST: `to` exists).
    static func renameNoReplace(_ from: String, _ to: String) -> Bool {
        #if os(Linux)
        if let renameat2 {
            if renameat2(AT_FDCWD, from, AT_FDCWD, to, renameNoReplaceFlag) == 0 { return true }
            if errno != EINVAL && errno != ENOSYS { return false }
        }
        #elseif canImport(Darwin)
        if renamex_np(from, to, UInt32(RENAME_EXCL)) == 0 { return true }
        if errno != ENOTSUP && errno != EINVAL { return false }
        #endif
        guard link(from, to) == 0 else { return false }
        unlink(from)
        return true
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
