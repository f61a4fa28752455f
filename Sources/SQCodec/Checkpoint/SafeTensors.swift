import TQAudio
import TQContainer
import Foundation

/// Reads a `.safetensors` file:
///
///     u64 LE header length n · n bytes of JSON {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {…}} · data
///
/// Offsets are relative to the data section; each tensor's range must lie inside it and match
/// its shape and dtype exactly.
enum SafeTensors {
    /// The header is capped at 100 MB, as in the reference implementation.
    static let maxHeader = 100_000_000

    /// Float tensors (F32, F16, BF16) by name, plus the string metadata. Other dtypes are kept
    /// out of `tensors` only if `floatOnly` is false; otherwise they are an error.
    static func read(bytes: [UInt8], file: String, floatOnly: Bool = true)
        throws -> (tensors: [String: StoredTensor], raw: [String: (dtype: String, shape: [Int], range: Range<Int>)], metadata: [String: String]) {
        func corrupt(_ why: String) -> CheckpointError { .corruptSafetensors(file: file, reason: why) }
        var c = ByteReader(bytes)
        guard let n64 = c.u64() else { throw corrupt("too short") }
        guard n64 <= UInt64(min(maxHeader, c.remaining)), let header = c.bytes(Int(n64)) else {
            throw corrupt("header length \(n64) exceeds the file")
        }
        let dataStart = c.offset
        let dataCount = bytes.count - dataStart
        guard let json = try? JSONSerialization.jsonObject(with: Data(header)), let dict = json as? [String: Any] else {
            throw corrupt("header is not a JSON object")
        }
        var tensors: [String: StoredTensor] = [:]
        var raw: [String: (dtype: String, shape: [Int], range: Range<Int>)] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in dict {
            if name == "__metadata__" {
                for (k, v) in (value as? [String: Any]) ?? [:] { metadata[k] = v as? String }
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shapeAny = info["shape"] as? [Any], let offs = info["data_offsets"] as? [Any], offs.count == 2,
                  let b = (offs[0] as? NSNumber)?.intValue, let e = (offs[1] as? NSNumber)?.intValue else {
                throw corrupt("bad entry for \(name)")
            }
            let shape = try shapeAny.map { v -> Int in
                guard let i = (v as? NSNumber)?.intValue, i >= 0 else { throw corrupt("bad shape of \(name)") }
                return i
            }
            guard b >= 0, e >= b, e <= dataCount else { throw CheckpointError.tensorOutOfBounds(tensor: name) }
            let size: Int
            switch dtype {
            case "F32", "I32", "U32": size = 4
            case "F16", "BF16", "I16", "U16": size = 2
            case "F64", "I64", "U64": size = 8
            case "I8", "U8", "BOOL": size = 1
            default: throw CheckpointError.unsupportedDType(tensor: name, dtype: dtype)
            }
            var count = 1
            for s in shape {
                let (p, o) = count.multipliedReportingOverflow(by: s)
                guard !o else { throw CheckpointError.tensorOutOfBounds(tensor: name) }
                count = p
            }
            guard count <= dataCount else { throw CheckpointError.tensorOutOfBounds(tensor: name) }
            guard count * size == e - b else { throw CheckpointError.tensorOutOfBounds(tensor: name) }
            let range = dataStart + b ..< dataStart + e
            raw[name] = (dtype, shape, range)
            let dt: DType
            switch dtype {
            case "F32": dt = .float32
            case "F16": dt = .float16
            case "BF16": dt = .bfloat16
            default:
                if floatOnly { throw CheckpointError.unsupportedDType(tensor: name, dtype: dtype) }
                continue
            }
            let start = range.lowerBound, n = count
            tensors[name] = StoredTensor(shape: shape) { dt.values(bytes, from: start, count: n) }
        }
        return (tensors, raw, metadata)
    }
}
