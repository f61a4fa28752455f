// libFuzzer target: PickleReader on structure-aware pickles whose nesting can go far beyond what
// the checkpoint target's 8 KB inputs reach. Compiled into the module with
// Sources/SQCodec/Checkpoint/*.swift, as FuzzCheckpoint is.
//
// The input is a list of records, each expanded and appended after PROTO 2:
//
//     count (u16 LE) · length n (u8) · n bytes of opcodes      → the n bytes repeated count times
//
// (a record cut short by the end of the input is used as far as it goes), then STOP. A 5-byte
// record such as `50 C3 01 85` is 50 000 TUPLE1s. The expanded pickle is capped at 4 MB.
// A value that is read must be at most PickleReader.maxDepth deep.

let maxPickleBytes = 4 << 20

func expandedPickle(_ input: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x80, 2]
    var i = 0
    while i + 3 <= input.count, out.count < maxPickleBytes {
        let count = Int(input[i]) | Int(input[i + 1]) << 8
        let n = Int(input[i + 2])
        let chunk = input[min(i + 3, input.count) ..< min(i + 3 + n, input.count)]
        i += 3 + n
        if chunk.isEmpty { continue }
        for _ in 0..<count where out.count + chunk.count <= maxPickleBytes { out += chunk }
    }
    out.append(0x2E)
    return out
}

/// The nesting depth of `v` (a leaf is 0). Recursive: only called on values the reader
/// accepted, which are at most `maxDepth` deep unless the reader is wrong.
func nesting(_ v: PickleValue, _ budget: Int) -> Int {
    if budget < 0 { return Int.max }
    switch v {
    case .tuple(let a), .list(let a): return 1 + (a.map { nesting($0, budget - 1) }.max() ?? 0)
    case .dict(let p): return 1 + (p.map { max(nesting($0.0, budget - 1), nesting($0.1, budget - 1)) }.max() ?? 0)
    case .persistent(let x): return 1 + nesting(x, budget - 1)
    case .tensor(let s, _, _, _): return 1 + nesting(s, budget - 1)
    default: return 0
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPickleNesting(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    let pickle = expandedPickle(input)
    if let v = try? PickleReader(file: "fuzz.pkl").read(pickle[...]) {
        let depth = nesting(v, PickleReader.maxDepth + 2)
        if depth > PickleReader.maxDepth { fatalError("PickleReader built a value \(depth) deep") }
    }
    return 0
}
