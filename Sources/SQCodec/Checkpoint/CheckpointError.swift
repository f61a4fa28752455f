/// What can be wrong with a checkpoint: a torch `.pt` archive, a `.safetensors` file, or the
/// tensors they hold. Each case names the file or tensor, so that a user can act on it.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No weights for `model` in `directory`; `hint` says where to get them.
    /// `family`: the codec's name as users see it (`ModelFamily.displayName`).
    case weightsNotFound(model: String, directory: String, hint: String, family: String)
    case unreadable(file: String, reason: String)
    /// A zip structure is damaged: `reason` says which.
    case corruptArchive(file: String, reason: String)
    /// A zip entry uses a compression method other than stored (0).
    case compressedEntry(file: String, entry: String, method: UInt16)
    case missingEntry(file: String, entry: String)
    /// The pickle stream is damaged or uses something a state dict never holds.
    case corruptPickle(file: String, offset: Int, reason: String)
    case unsupportedPickleOpcode(file: String, offset: Int, opcode: UInt8)
    /// The opcode at `offset` would nest containers deeper than `limit` (`PickleReader.maxDepth`).
    case pickleTooDeep(file: String, offset: Int, limit: Int)
    /// `file` holds `size` bytes, more than the `limit` its module can need.
    case fileTooLarge(file: String, size: Int, limit: Int)
    /// A safetensors header is damaged.
    case corruptSafetensors(file: String, reason: String)
    /// A tensor's bytes lie outside its storage or the file.
    case tensorOutOfBounds(tensor: String)
    case unsupportedDType(tensor: String, dtype: String)
    /// The model needs `tensor` and the checkpoint lacks it.
    case missingTensor(String)
    /// The checkpoint holds `tensor`, which the model does not use.
    case unexpectedTensor(String)
    case shapeMismatch(tensor: String, expected: [Int], found: [Int])
    case duplicateTensor(String)
    /// Element `index` (row-major) of `tensor` is NaN or infinite.
    case nonFiniteTensor(tensor: String, index: Int)
    /// Element `index` of `tensor` is `value`, beyond ±`limit` (`TensorStore.maxWeightMagnitude`).
    case implausibleTensorValue(tensor: String, index: Int, value: Float, limit: Float)

    public var description: String {
        switch self {
        case .weightsNotFound(let model, let dir, let hint, let family):
            "no \(family) weights for model \(model) in \(dir): \(hint)"
        case .unreadable(let f, let r): "cannot read \(f): \(r)"
        case .corruptArchive(let f, let r): "\(f) is not a valid torch checkpoint archive: \(r)"
        case .compressedEntry(let f, let e, let m): "\(f): entry \(e) is compressed (method \(m)); torch.save writes stored entries only"
        case .missingEntry(let f, let e): "\(f): the archive has no entry \(e)"
        case .corruptPickle(let f, let o, let r): "\(f): damaged pickle at byte \(o): \(r)"
        case .unsupportedPickleOpcode(let f, let o, let op): "\(f): pickle opcode 0x\(String(op, radix: 16)) at byte \(o) is not part of a torch state dict"
        case .corruptSafetensors(let f, let r): "\(f) is not a valid safetensors file: \(r)"
        case .tensorOutOfBounds(let t): "tensor \(t) points outside its data"
        case .unsupportedDType(let t, let d): "tensor \(t) has dtype \(d); only float32, float16 and bfloat16 are read"
        case .missingTensor(let t): "the checkpoint lacks tensor \(t)"
        case .unexpectedTensor(let t): "the checkpoint holds tensor \(t), which this model does not have"
        case .shapeMismatch(let t, let e, let f): "tensor \(t) has shape \(f), the model expects \(e)"
        case .duplicateTensor(let t): "tensor \(t) appears twice"
        case .pickleTooDeep(let f, let o, let l): "\(f): the pickle nests containers more than \(l) deep at byte \(o); a state dict needs a few"
        case .fileTooLarge(let f, let s, let l): "\(f) is \(s) bytes, more than the \(l) bytes a checkpoint file of its module can take"
        case .nonFiniteTensor(let t, let i): "tensor \(t) holds a NaN or infinite value (element \(i))"
        case .implausibleTensorValue(let t, let i, let v, let l):
            "tensor \(t) holds \(v) (element \(i)), beyond ±\(l), far outside the weights of this model"
        }
    }
}
