import Foundation
import TQAudio

/// A checkpoint as the Python package caches it: one file per module in one directory,
/// `<module>.pt` (preferred) or `<module>.safetensors`.
enum CheckpointDirectory {
    /// Files larger than this are refused before they are read, whatever the model (the largest
    /// published module is a few tens of MB).
    static let maxFileSize = 2_000_000_000
    /// Files up to this size are read without asking how many bytes their module can need.
    static let unverifiedFileSize = 64 << 20

    /// The most bytes a checkpoint file of a module with `parameters` values can take: every
    /// value as float32, twice over, plus 4 MiB for the zip or JSON headers and the pickle (a
    /// `torch.save` file adds a few hundred bytes per tensor; float16 files are half the size).
    static func byteLimit(parameters: Int) -> Int {
        let (values, o) = parameters.multipliedReportingOverflow(by: 2 * 4)
        return o ? Int.max : values + (4 << 20)
    }

    /// The tensors of each of `modules` found in `directory`, read on up to `threads` threads
    /// (a module at a time each).
    ///
    /// A file is refused unread (`CheckpointError.fileTooLarge`) when it is larger than
    /// `maxFileSize`, or larger than `unverifiedFileSize` and than `byteLimit(parameters:)` of
    /// `parameters(module)`, the number of values the model needs for the module (nil: unknown,
    /// only `maxFileSize` applies). `parameters` is called only for such large files.
    ///
    /// A missing file's error says where `origin` publishes the weights of `model` (nil: only that
    /// they are missing).
    static func load(_ directory: URL, model: String, origin: WeightsOrigin? = nil, modules: [String], threads: Int = 1,
                     parameters: ((String) -> Int?)? = nil) throws -> [String: [String: StoredTensor]] {
        let fm = FileManager.default
        var read = [Result<[String: StoredTensor], Error>?](repeating: nil, count: modules.count)
        read.withUnsafeMutableBufferPointer { slots in
            let out = UncheckedBox(slots.baseAddress!)
            parallelFor(count: modules.count, threads: threads) { i, _ in
                let pt = directory.appendingPathComponent("\(modules[i]).pt")
                let st = directory.appendingPathComponent("\(modules[i]).safetensors")
                let limit = { parameters?(modules[i]).map { byteLimit(parameters: $0) } }
                if fm.fileExists(atPath: pt.path) {
                    out.value[i] = Result { try TorchCheckpoint.tensors(bytes: try readFile(pt, limit: limit), file: pt.path) }
                } else if fm.fileExists(atPath: st.path) {
                    out.value[i] = Result { try SafeTensors.read(bytes: try readFile(st, limit: limit), file: st.path).tensors }
                }
            }
        }
        var out: [String: [String: StoredTensor]] = [:]
        var missing: [String] = []
        for (module, result) in zip(modules, read) {
            if let result { out[module] = try result.get() } else { missing.append(module) }
        }
        if !missing.isEmpty {
            let names = missing.map { "\($0).pt" }.joined(separator: ", ")
            let published = origin.map {
                "; they are published at \($0.publishedAt) under weights/\(model).\($0.version)/ (encoder.pt, quantizer.pt, "
                    + "decoder.pt, en_encoder.pt, en_decoder.pt)"
            } ?? ""
            throw CheckpointError.weightsNotFound(
                model: model, directory: directory.path,
                hint: "missing \(names). Put the published weights there (or pass --weights DIR)\(published). "
                    + "Nothing is downloaded at run time.",
                family: origin?.codec ?? "checkpoint")
        }
        return out
    }

    /// The bytes of `url`, read straight into the array (one copy) after its size is checked:
    /// above `maxFileSize`, or above `unverifiedFileSize` and `limit()` when that is known, the
    /// file is refused unread. An allocation the system refuses is an error, not a trap.
    static func readFile(_ url: URL, limit: () -> Int? = { nil }) throws -> [UInt8] {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CheckpointError.unreadable(file: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw CheckpointError.unreadable(file: url.path, reason: String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        if size > maxFileSize { throw CheckpointError.fileTooLarge(file: url.path, size: size, limit: maxFileSize) }
        if size > unverifiedFileSize, let limit = limit(), size > limit {
            throw CheckpointError.fileTooLarge(file: url.path, size: size, limit: limit)
        }
        // Swift traps when an array's allocation fails: ask malloc first.
        guard let probe = malloc(max(1, size)) else {
            throw CheckpointError.unreadable(file: url.path, reason: "cannot allocate \(size) bytes to read it")
        }
        free(probe)
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let n = read(fd, buffer.baseAddress! + count, size - count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { failure = n < 0 ? errno : 0; break }
                count += n
            }
        }
        if failure != 0 { throw CheckpointError.unreadable(file: url.path, reason: String(cString: strerror(failure))) }
        guard bytes.count == size else {
            throw CheckpointError.unreadable(file: url.path, reason: "\(bytes.count) of its \(size) bytes could be read")
        }
        return bytes
    }
}
