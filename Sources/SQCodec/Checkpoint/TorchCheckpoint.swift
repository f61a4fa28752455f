/// Reads a `torch.save(state_dict)` file: a zip archive holding `<folder>/data.pkl` (the pickled
/// OrderedDict) and `<folder>/data/<key>` (raw little-endian storages).
enum TorchCheckpoint {
    /// The named tensors of the state dict in `bytes`, each converted to float32 when a layer
    /// first asks for it (after checking its shape).
    /// Every tensor's storage range is checked here against the storage; a tensor may not hold
    /// more elements than its storage, so no conversion allocates more than the file's size.
    static func tensors(bytes: [UInt8], file: String) throws -> [String: StoredTensor] {
        let zip = try ZipArchive(bytes: bytes, file: file)
        guard let pkl = zip.entry(endingWith: "data.pkl") else { throw CheckpointError.missingEntry(file: file, entry: "data.pkl") }
        let folder = String(pkl.name.dropLast("data.pkl".count))
        if let order = zip.entries[folder + "byteorder"], bytes[order.range] != ArraySlice("little".utf8) {
            throw CheckpointError.corruptArchive(file: file, reason: "big-endian storages are not supported")
        }
        let root = try PickleReader(file: file).read(bytes[pkl.range])
        guard case .dict(let pairs) = root else {
            throw CheckpointError.corruptPickle(file: file, offset: 0, reason: "the pickle is not a state dict")
        }
        var out: [String: StoredTensor] = [:]
        for (k, v) in pairs {
            guard case .string(let name) = k else {
                throw CheckpointError.corruptPickle(file: file, offset: 0, reason: "a state dict key is not a string")
            }
            guard case .tensor(let storage, let offset, let size, let stride) = v else {
                throw CheckpointError.corruptPickle(file: file, offset: 0, reason: "\(name) is not a tensor")
            }
            guard out[name] == nil else { throw CheckpointError.duplicateTensor(name) }
            out[name] = try tensor(name: name, storage: storage, offset: offset, size: size, stride: stride, zip: zip, folder: folder)
        }
        return out
    }

    private static func tensor(name: String, storage: PickleValue, offset: Int, size: [Int], stride: [Int],
                               zip: ZipArchive, folder: String) throws -> StoredTensor {
        guard case .persistent(.tuple(let pid)) = storage, pid.count >= 5,
              case .string("storage") = pid[0], case .global(let type) = pid[1],
              case .string(let key) = pid[2], case .int(let numel) = pid[4] else {
            throw CheckpointError.corruptPickle(file: zip.file, offset: 0, reason: "bad storage reference of \(name)")
        }
        let dtype: DType
        switch type {
        case "torch.FloatStorage": dtype = .float32
        case "torch.HalfStorage": dtype = .float16
        case "torch.BFloat16Storage": dtype = .bfloat16
        default: throw CheckpointError.unsupportedDType(tensor: name, dtype: type)
        }
        guard let entry = zip.entries[folder + "data/" + key] else {
            throw CheckpointError.missingEntry(file: zip.file, entry: folder + "data/" + key)
        }
        let available = entry.range.count / dtype.size
        guard numel >= 0, numel <= available, size.count == stride.count, offset >= 0,
              size.allSatisfy({ $0 >= 0 }), stride.allSatisfy({ $0 >= 0 }), size.count <= 8 else {
            throw CheckpointError.tensorOutOfBounds(tensor: name)
        }
        var count = 1
        for s in size {
            let (p, o) = count.multipliedReportingOverflow(by: s)
            guard !o else { throw CheckpointError.tensorOutOfBounds(tensor: name) }
            count = p
        }
        guard count <= numel else { throw CheckpointError.tensorOutOfBounds(tensor: name) }
        if count > 0 {
            var last = offset
            for (s, st) in Swift.zip(size, stride) {
                let (p, o) = (s - 1).multipliedReportingOverflow(by: st)
                guard !o, last <= Int.max - p else { throw CheckpointError.tensorOutOfBounds(tensor: name) }
                last += p
            }
            guard last < numel else { throw CheckpointError.tensorOutOfBounds(tensor: name) }
        }
        let base = entry.range.lowerBound
        // Row-major strides (as `torch.save` writes parameters): one run of values.
        var rowMajor = 1, contiguous = true
        for (s, st) in Swift.zip(size, stride).reversed() {
            if s > 1 && st != rowMajor { contiguous = false }
            rowMajor *= s
        }
        let bytes = zip.bytes, n = count
        if contiguous {
            return StoredTensor(shape: size) { dtype.values(bytes, from: base + offset * dtype.size, count: n) }
        }
        return StoredTensor(shape: size) { dtype.strided(bytes, base: base, offset: offset, size: size, stride: stride, count: n) }
    }
}

/// Floating-point element types a checkpoint may hold.
enum DType {
    case float32, float16, bfloat16

    var size: Int { self == .float32 ? 4 : 2 }

    /// `count` consecutive little-endian values from `offset` on (caller checks the bounds), as
    /// float32: for float32 on a little-endian machine, one copy of the bytes.
    func values(_ b: [UInt8], from o: Int, count: Int) -> [Float] {
        guard self == .float32, 1.littleEndian == 1 else { return (0..<count).map { read(b, at: o + $0 * size) } }
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            b.withUnsafeBytes { src in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: src[o ..< o + count * 4]))
            }
            initialized = count
        }
    }

    /// The `count` values of a tensor of `size` whose element `index` lies at element
    /// `offset + Σ index_i · stride_i` of the storage starting at byte `base` (caller checks the
    /// bounds), row-major.
    func strided(_ b: [UInt8], base: Int, offset: Int, size: [Int], stride: [Int], count: Int) -> [Float] {
        var values = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: size.count)
        var position = offset
        for i in 0..<count {
            values[i] = read(b, at: base + position * self.size)
            var d = size.count - 1
            while d >= 0 {
                index[d] += 1
                position += stride[d]
                if index[d] < size[d] { break }
                position -= stride[d] * size[d]
                index[d] = 0
                d -= 1
            }
        }
        return values
    }

    /// The little-endian value at `offset` (caller checks the bounds), as float32.
    func read(_ b: [UInt8], at o: Int) -> Float {
        switch self {
        case .float32:
            return Float(bitPattern: UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24)
        case .bfloat16:
            return Float(bitPattern: (UInt32(b[o]) | UInt32(b[o + 1]) << 8) << 16)
        case .float16:
            return Float(Float16(bitPattern: UInt16(b[o]) | UInt16(b[o + 1]) << 8))
        }
    }
}
