/// A named float32 tensor as read from a checkpoint.
///
/// A tensor read from a file holds only its shape and where its values lie in the file's bytes
/// (shared, not copied): its values are converted to float32 when they are first asked for, so
/// that a layer checks the shape it expects before anything is converted, and a module's tensors
/// are never all held twice, as file bytes and as floats.
public struct StoredTensor: Sendable, Equatable {
    public let shape: [Int]
    private var source: Source

    private enum Source: Sendable {
        case values([Float])
        /// Converts the values from the file's bytes; the closure holds those bytes.
        case file(@Sendable () -> [Float])
    }

    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "StoredTensor: shape \(shape) does not hold \(values.count) values")
        self.shape = shape
        self.source = .values(values)
    }

    /// A tensor of `shape` whose values `convert` reads from a file's bytes when first asked for
    /// (the caller has checked that the bytes hold them).
    init(shape: [Int], converting convert: @escaping @Sendable () -> [Float]) {
        self.shape = shape
        self.source = .file(convert)
    }

    /// The number of values, the product of `shape`.
    public var count: Int { shape.reduce(1, *) }

    /// Whether the values are held as floats (false for a tensor read from a file and not yet asked for).
    var isConverted: Bool { if case .values = source { true } else { false } }

    /// The values, row-major; a tensor read from a file converts them on each call until set.
    public var values: [Float] {
        get {
            switch source {
            case .values(let v): v
            case .file(let convert): convert()
            }
        }
        set {
            precondition(shape.reduce(1, *) == newValue.count, "StoredTensor: shape \(shape) does not hold \(newValue.count) values")
            source = .values(newValue)
        }
    }

    public static func == (a: StoredTensor, b: StoredTensor) -> Bool { a.shape == b.shape && a.values == b.values }
}

/// Hands out the tensors of one state dict to the layers that build themselves from it,
/// checking each name and shape, and afterwards that nothing was left over.
///
/// A layer reads `scope.tensor("dw_conv.bias", shape: [c])`; a missing or mis-shaped tensor
/// throws `CheckpointError` with its full name (module prefix included).
final class TensorStore {
    /// The largest magnitude a stored value may have. The weights of this architecture
    /// (convolutions, linear layers, norm gains, Snake alphas, the FSQ projections) are of order
    /// one to a few tens: the parity fixtures (tools/reference/make_vectors.py) lie within ±37,
    /// seeded random weights within ±1.1. A value past 1e6 is damage: in float32 it overflows to
    /// infinity once multiplied by activations and summed over a few layers (3e38 does at once),
    /// and the audio comes out NaN or silent. The bound leaves four orders of magnitude of room
    /// and is checked once per tensor, when a layer takes it.
    static let maxWeightMagnitude: Float = 1e6
    private var tensors: [String: StoredTensor]
    private let module: String
    private var used: Set<String> = []
    /// When set, a tensor that is asked for and missing is made by this and recorded
    /// (`RandomWeights` uses it to learn a model's tensors and give them values).
    private let synthesize: ((String, [Int]) -> [Float])?

    /// - Parameter module: the state dict's module (`encoder`, `en_decoder`, …), used in error messages.
    init(module: String, tensors: [String: StoredTensor], synthesize: ((String, [Int]) -> [Float])? = nil) {
        self.module = module
        self.tensors = tensors
        self.synthesize = synthesize
    }

    /// Every tensor held or made so far.
    var all: [String: StoredTensor] { tensors }

    func contains(_ name: String) -> Bool { tensors[name] != nil }

    /// The values of `name`, which must have exactly `shape` and hold only finite values within
    /// ±`maxWeightMagnitude`.
    func tensor(_ name: String, shape: [Int]) throws -> [Float] {
        if tensors[name] == nil, let make = synthesize {
            tensors[name] = StoredTensor(shape: shape, values: make(name, shape))
        }
        guard let t = tensors[name] else { throw CheckpointError.missingTensor("\(module).\(name)") }
        guard t.shape == shape else {
            throw CheckpointError.shapeMismatch(tensor: "\(module).\(name)", expected: shape, found: t.shape)
        }
        // The shape is checked above before any value is converted from the file's bytes.
        let values = t.values
        if !used.contains(name) { try Self.checkValues(values, tensor: "\(module).\(name)") }
        used.insert(name)
        return values
    }

    /// Throws `nonFiniteTensor` or `implausibleTensorValue` for the first value of `values` that
    /// is NaN, infinite or beyond ±`maxWeightMagnitude`.
    static func checkValues(_ values: [Float], tensor: String) throws {
        // NaN fails the comparison too: one pass in the common case.
        guard !values.allSatisfy({ abs($0) <= maxWeightMagnitude }) else { return }
        for (i, v) in values.enumerated() where !(abs(v) <= maxWeightMagnitude) {
            if !v.isFinite { throw CheckpointError.nonFiniteTensor(tensor: tensor, index: i) }
            throw CheckpointError.implausibleTensorValue(tensor: tensor, index: i, value: v, limit: maxWeightMagnitude)
        }
    }

    /// Throws `unexpectedTensor` for the first (in name order) tensor no layer asked for.
    func checkAllUsed() throws {
        if let extra = tensors.keys.filter({ !used.contains($0) }).sorted().first {
            throw CheckpointError.unexpectedTensor("\(module).\(extra)")
        }
    }

    func scope(_ prefix: String) -> WeightScope { WeightScope(store: self, prefix: prefix) }
}

/// A view of a `TensorStore` under a dotted name prefix (`blocks.1.0.module.`).
struct WeightScope {
    let store: TensorStore
    let prefix: String

    func child(_ name: String) -> WeightScope { WeightScope(store: store, prefix: prefix + name + ".") }

    func tensor(_ name: String, shape: [Int]) throws -> [Float] {
        try store.tensor(prefix + name, shape: shape)
    }

    /// A weight that may be stored with PyTorch's weight-norm parametrization
    /// (`parametrizations.weight.original0` = g of shape `[out, 1, …]`,
    /// `parametrizations.weight.original1` = v of `shape`), folded here into
    /// `w[o, …] = g[o] · v[o, …] / ‖v[o, …]‖₂`; or a plain `weight`.
    func weightNormed(shape: [Int]) throws -> [Float] {
        let g0 = prefix + "parametrizations.weight.original0"
        guard store.contains(g0) else { return try tensor("weight", shape: shape) }
        let out = shape[0]
        let gShape = [out] + Array(repeating: 1, count: shape.count - 1)
        let g = try store.tensor(g0, shape: gShape)
        var v = try store.tensor(prefix + "parametrizations.weight.original1", shape: shape)
        let per = out == 0 ? 0 : v.count / out
        for o in 0..<out {
            var sum: Double = 0
            for i in 0..<per { let x = Double(v[o * per + i]); sum += x * x }
            let factor = g[o] / Float(sum.squareRoot())
            for i in 0..<per { v[o * per + i] *= factor }
        }
        return v
    }
}
