import TQContainer

/// A value of the pickle subset that `torch.save` writes for a state dict.
indirect enum PickleValue: Equatable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list([PickleValue])
    /// Key–value pairs in insertion order (`dict` or `collections.OrderedDict`).
    case dict([(PickleValue, PickleValue)])
    /// `module.name`, as pushed by GLOBAL.
    case global(String)
    /// A persistent id (`BINPERSISTENT`): torch's `('storage', <type>, key, location, numel)`.
    case persistent(PickleValue)
    /// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)`.
    case tensor(storage: PickleValue, offset: Int, size: [Int], stride: [Int])

    static func == (lhs: PickleValue, rhs: PickleValue) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none): true
        case let (.bool(a), .bool(b)): a == b
        case let (.int(a), .int(b)): a == b
        case let (.float(a), .float(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.bytes(a), .bytes(b)): a == b
        case let (.tuple(a), .tuple(b)), let (.list(a), .list(b)): a == b
        case let (.dict(a), .dict(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.global(a), .global(b)): a == b
        case let (.persistent(a), .persistent(b)): a == b
        case let (.tensor(s1, o1, z1, t1), .tensor(s2, o2, z2, t2)): s1 == s2 && o1 == o2 && z1 == z2 && t1 == t2
        default: false
        }
    }
}

/// Reads the pickle subset (protocols 2–4) that `torch.save` emits for a state dict: containers,
/// numbers, strings, memo, GLOBAL/REDUCE of `collections.OrderedDict` and
/// `torch._utils._rebuild_tensor_v2` / `_rebuild_parameter`, and BINPERSISTENT storages.
/// Any other callable or opcode is an error; nothing is executed.
struct PickleReader {
    /// Caps on the memo and the stack, far above what a state dict needs.
    static let maxMemo = 1 << 22
    static let maxStack = 1 << 22

    let file: String

    func read(_ bytes: ArraySlice<UInt8>) throws -> PickleValue {
        var c = ByteReader(Array(bytes))
        var stack: [PickleValue] = []
        var marks: [Int] = []
        var memo: [Int: PickleValue] = [:]

        func fail(_ why: String) -> CheckpointError { .corruptPickle(file: file, offset: c.offset, reason: why) }
        func pop() throws -> PickleValue {
            guard let v = stack.popLast() else { throw fail("stack underflow") }
            return v
        }
        func popMark() throws -> [PickleValue] {
            guard let m = marks.popLast(), m <= stack.count else { throw fail("no MARK") }
            defer { stack.removeSubrange(m...) }
            return Array(stack[m...])
        }
        func line() throws -> String {
            var out: [UInt8] = []
            while let b = c.u8() {
                if b == 0x0A { return String(decoding: out, as: UTF8.self) }
                out.append(b)
                if out.count > 256 { break }
            }
            throw fail("unterminated GLOBAL name")
        }
        func string(_ n: Int) throws -> String {
            guard let b = c.bytes(n) else { throw fail("string of \(n) bytes runs past the end") }
            return String(decoding: b, as: UTF8.self)
        }
        func setItems(_ items: [PickleValue]) throws {
            guard items.count % 2 == 0, case .dict(var pairs) = try pop() else { throw fail("SETITEMS on a non-dict") }
            for i in stride(from: 0, to: items.count, by: 2) { pairs.append((items[i], items[i + 1])) }
            stack.append(.dict(pairs))
        }

        while true {
            if stack.count > Self.maxStack { throw fail("stack too deep") }
            let opOffset = c.offset
            guard let op = c.u8() else { throw fail("no STOP opcode") }
            switch op {
            case 0x80: guard c.u8() != nil else { throw fail("truncated PROTO") }     // PROTO
            case 0x95: guard c.u64() != nil else { throw fail("truncated FRAME") }    // FRAME
            case 0x2E: return try pop()                                               // STOP
            case 0x28: marks.append(stack.count)                                      // MARK
            case 0x7D: stack.append(.dict([]))                                        // EMPTY_DICT
            case 0x29: stack.append(.tuple([]))                                       // EMPTY_TUPLE
            case 0x5D: stack.append(.list([]))                                        // EMPTY_LIST
            case 0x4E: stack.append(.none)                                            // NONE
            case 0x88: stack.append(.bool(true))                                      // NEWTRUE
            case 0x89: stack.append(.bool(false))                                     // NEWFALSE
            case 0x74: stack.append(.tuple(try popMark()))                            // TUPLE
            case 0x85: let a = try pop(); stack.append(.tuple([a]))                   // TUPLE1
            case 0x86: let b = try pop(), a = try pop(); stack.append(.tuple([a, b])) // TUPLE2
            case 0x87: let z = try pop(), b = try pop(), a = try pop(); stack.append(.tuple([a, b, z]))
            case 0x4A:                                                                // BININT
                guard let v = c.u32() else { throw fail("truncated BININT") }
                stack.append(.int(Int(Int32(bitPattern: v))))
            case 0x4B: guard let v = c.u8() else { throw fail("truncated BININT1") }; stack.append(.int(Int(v)))
            case 0x4D: guard let v = c.u16() else { throw fail("truncated BININT2") }; stack.append(.int(Int(v)))
            case 0x8A:                                                                // LONG1
                guard let n = c.u8(), n <= 8, let b = c.bytes(Int(n)) else { throw fail("bad LONG1") }
                var v: UInt64 = 0
                for (i, x) in b.enumerated() { v |= UInt64(x) << (8 * UInt64(i)) }
                if n > 0 && n < 8 && (b.last! & 0x80) != 0 { v |= ~0 << (8 * UInt64(n)) }
                stack.append(.int(Int(Int64(bitPattern: v))))
            case 0x47:                                                                // BINFLOAT (big-endian)
                guard let b = c.bytes(8) else { throw fail("truncated BINFLOAT") }
                stack.append(.float(Double(bitPattern: b.reduce(0) { $0 << 8 | UInt64($1) })))
            case 0x58:                                                                // BINUNICODE
                guard let n = c.u32() else { throw fail("truncated BINUNICODE") }
                stack.append(.string(try string(Int(n))))
            case 0x8C:                                                                // SHORT_BINUNICODE
                guard let n = c.u8() else { throw fail("truncated SHORT_BINUNICODE") }
                stack.append(.string(try string(Int(n))))
            case 0x55:                                                                // SHORT_BINSTRING
                guard let n = c.u8() else { throw fail("truncated SHORT_BINSTRING") }
                stack.append(.string(try string(Int(n))))
            case 0x54:                                                                // BINSTRING
                guard let n = c.u32() else { throw fail("truncated BINSTRING") }
                stack.append(.string(try string(Int(n))))
            case 0x43, 0x42:                                                          // SHORT_BINBYTES, BINBYTES
                let n = op == 0x43 ? c.u8().map(UInt32.init) : c.u32()
                guard let n, let b = c.bytes(Int(n)) else { throw fail("truncated BINBYTES") }
                stack.append(.bytes(Array(b)))
            case 0x71, 0x72:                                                          // BINPUT, LONG_BINPUT
                let k = op == 0x71 ? c.u8().map(Int.init) : c.u32().map(Int.init)
                guard let k, let top = stack.last else { throw fail("bad BINPUT") }
                guard memo.count < Self.maxMemo || memo[k] != nil else { throw fail("memo too large") }
                memo[k] = top
            case 0x94:                                                                // MEMOIZE
                guard let top = stack.last, memo.count < Self.maxMemo else { throw fail("bad MEMOIZE") }
                memo[memo.count] = top
            case 0x68, 0x6A:                                                          // BINGET, LONG_BINGET
                let k = op == 0x68 ? c.u8().map(Int.init) : c.u32().map(Int.init)
                guard let k, let v = memo[k] else { throw fail("BINGET of an unknown memo key") }
                stack.append(v)
            case 0x63:                                                                // GLOBAL
                let module = try line(), name = try line()
                stack.append(.global(module + "." + name))
            case 0x93:                                                                // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else { throw fail("bad STACK_GLOBAL") }
                stack.append(.global(module + "." + name))
            case 0x51: stack.append(.persistent(try pop()))                           // BINPERSISTENT
            case 0x73:                                                                // SETITEM
                let v = try pop(), k = try pop()
                try setItems([k, v])
            case 0x75: try setItems(try popMark())                                    // SETITEMS
            case 0x61:                                                                // APPEND
                let v = try pop()
                guard case .list(var l) = try pop() else { throw fail("APPEND on a non-list") }
                l.append(v); stack.append(.list(l))
            case 0x65:                                                                // APPENDS
                let items = try popMark()
                guard case .list(var l) = try pop() else { throw fail("APPENDS on a non-list") }
                l += items; stack.append(.list(l))
            case 0x62:                                                                // BUILD: state of an OrderedDict (_metadata) is dropped
                _ = try pop()
                guard stack.last != nil else { throw fail("BUILD on an empty stack") }
            case 0x52:                                                                // REDUCE
                let args = try pop(), callable = try pop()
                stack.append(try reduce(callable, args, fail))
            default:
                throw CheckpointError.unsupportedPickleOpcode(file: file, offset: opOffset, opcode: op)
            }
        }
    }

    private func reduce(_ callable: PickleValue, _ args: PickleValue,
                        _ fail: (String) -> CheckpointError) throws -> PickleValue {
        guard case .global(let name) = callable, case .tuple(let a) = args else { throw fail("REDUCE of a non-global") }
        switch name {
        case "collections.OrderedDict", "builtins.dict":
            return .dict([])
        case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
            guard a.count >= 4, case .persistent = a[0], case .int(let offset) = a[1],
                  case .tuple(let size) = a[2], case .tuple(let stride) = a[3] else { throw fail("bad _rebuild_tensor_v2 arguments") }
            func ints(_ t: [PickleValue]) throws -> [Int] {
                try t.map { v in guard case .int(let i) = v else { throw fail("non-integer tensor size") }; return i }
            }
            return .tensor(storage: a[0], offset: offset, size: try ints(size), stride: try ints(stride))
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
            guard let t = a.first, case .tensor = t else { throw fail("bad _rebuild_parameter arguments") }
            return t
        default:
            throw fail("callable \(name) is not part of a torch state dict")
        }
    }
}
