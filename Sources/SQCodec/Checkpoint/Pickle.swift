import TQAudio
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
    /// Cap on the nesting of containers (a leaf is depth 0, a container one more than its
    /// deepest element). A torch state dict needs about 5 (dict, REDUCE arguments, size tuple,
    /// persistent id); the cap keeps every value shallow enough that building, comparing and
    /// freeing it (all recursive) cannot exhaust the stack.
    static let maxDepth = 64
    /// Cap on the elements that growing dicts and lists may copy in one pickle: every SETITEM(S)
    /// and APPEND(S) is charged the container's size, as if it were copied (it is, when the memo
    /// or another stack entry shares it), so that a hostile pickle of single SETITEMs on one
    /// dict costs an error instead of quadratic time. torch.save adds items in batches of up to
    /// 1000 (SETITEMS, APPENDS), so a state dict is charged about its size squared over 1000.
    static let maxContainerWork = 1 << 26

    let file: String

    /// The value the pickle in `bytes` builds.
    ///
    /// Every value on the stack and in the memo carries its nesting depth, computed as it is
    /// built (O(1) per element taken in), so that no value deeper than `maxDepth` is ever made.
    func read(_ bytes: ArraySlice<UInt8>) throws -> PickleValue {
        var c = ByteReader(Array(bytes))
        var stack: [PickleValue] = []
        var depths: [Int] = []           // depths[i] is the nesting depth of stack[i]
        var marks: [Int] = []
        var memo: [Int: (value: PickleValue, depth: Int)] = [:]
        var opOffset = 0
        var containerWork = 0

        func fail(_ why: String) -> CheckpointError { .corruptPickle(file: file, offset: c.offset, reason: why) }
        func push(_ v: PickleValue, depth: Int = 0) throws {
            guard depth <= Self.maxDepth else {
                throw CheckpointError.pickleTooDeep(file: file, offset: opOffset, limit: Self.maxDepth)
            }
            stack.append(v)
            depths.append(depth)
        }
        func pop() throws -> (value: PickleValue, depth: Int) {
            guard let v = stack.popLast(), let d = depths.popLast() else { throw fail("stack underflow") }
            return (v, d)
        }
        /// The values above the last MARK and their deepest depth.
        func popMark() throws -> (values: [PickleValue], depth: Int) {
            guard let m = marks.popLast(), m <= stack.count else { throw fail("no MARK") }
            defer { stack.removeSubrange(m...); depths.removeSubrange(m...) }
            return (Array(stack[m...]), depths[m...].max() ?? 0)
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
        /// Charges growing a container of `size` elements by `added` (`maxContainerWork`).
        func charge(size: Int, added: Int) throws {
            containerWork += size + added
            guard containerWork <= Self.maxContainerWork else {
                throw fail("dicts and lists grow by more than \(Self.maxContainerWork) element copies, far beyond a torch state dict")
            }
        }
        func setItems(_ items: [PickleValue], depth: Int) throws {
            var dict = try pop()
            guard items.count % 2 == 0, case .dict(var pairs) = dict.value else { throw fail("SETITEMS on a non-dict") }
            dict.value = .none  // the popped reference goes, so that an unshared dict grows in place
            try charge(size: pairs.count, added: items.count / 2)
            for i in stride(from: 0, to: items.count, by: 2) { pairs.append((items[i], items[i + 1])) }
            try push(.dict(pairs), depth: max(dict.depth, items.isEmpty ? 1 : depth + 1))
        }
        func tuple(_ items: [(value: PickleValue, depth: Int)]) throws {
            try push(.tuple(items.map(\.value)), depth: 1 + (items.map(\.depth).max() ?? 0))
        }

        while true {
            if stack.count > Self.maxStack { throw fail("stack too deep") }
            opOffset = c.offset
            guard let op = c.u8() else { throw fail("no STOP opcode") }
            switch op {
            case 0x80: guard c.u8() != nil else { throw fail("truncated PROTO") }     // PROTO
            case 0x95: guard c.u64() != nil else { throw fail("truncated FRAME") }    // FRAME
            case 0x2E: return try pop().value                                         // STOP
            case 0x28: marks.append(stack.count)                                      // MARK
            case 0x7D: try push(.dict([]), depth: 1)                                  // EMPTY_DICT
            case 0x29: try push(.tuple([]), depth: 1)                                 // EMPTY_TUPLE
            case 0x5D: try push(.list([]), depth: 1)                                  // EMPTY_LIST
            case 0x4E: try push(.none)                                                // NONE
            case 0x88: try push(.bool(true))                                          // NEWTRUE
            case 0x89: try push(.bool(false))                                         // NEWFALSE
            case 0x74:                                                                // TUPLE
                let (items, depth) = try popMark()
                try push(.tuple(items), depth: 1 + depth)
            case 0x85: let a = try pop(); try tuple([a])                              // TUPLE1
            case 0x86: let b = try pop(), a = try pop(); try tuple([a, b])            // TUPLE2
            case 0x87: let z = try pop(), b = try pop(), a = try pop(); try tuple([a, b, z])
            case 0x4A:                                                                // BININT
                guard let v = c.u32() else { throw fail("truncated BININT") }
                try push(.int(Int(Int32(bitPattern: v))))
            case 0x4B: guard let v = c.u8() else { throw fail("truncated BININT1") }; try push(.int(Int(v)))
            case 0x4D: guard let v = c.u16() else { throw fail("truncated BININT2") }; try push(.int(Int(v)))
            case 0x8A:                                                                // LONG1
                guard let n = c.u8(), n <= 8, let b = c.bytes(Int(n)) else { throw fail("bad LONG1") }
                var v: UInt64 = 0
                for (i, x) in b.enumerated() { v |= UInt64(x) << (8 * UInt64(i)) }
                if n > 0 && n < 8 && (b.last! & 0x80) != 0 { v |= ~0 << (8 * UInt64(n)) }
                try push(.int(Int(Int64(bitPattern: v))))
            case 0x47:                                                                // BINFLOAT (big-endian)
                guard let b = c.bytes(8) else { throw fail("truncated BINFLOAT") }
                try push(.float(Double(bitPattern: b.reduce(0) { $0 << 8 | UInt64($1) })))
            case 0x58:                                                                // BINUNICODE
                guard let n = c.u32() else { throw fail("truncated BINUNICODE") }
                try push(.string(try string(Int(n))))
            case 0x8C:                                                                // SHORT_BINUNICODE
                guard let n = c.u8() else { throw fail("truncated SHORT_BINUNICODE") }
                try push(.string(try string(Int(n))))
            case 0x55:                                                                // SHORT_BINSTRING
                guard let n = c.u8() else { throw fail("truncated SHORT_BINSTRING") }
                try push(.string(try string(Int(n))))
            case 0x54:                                                                // BINSTRING
                guard let n = c.u32() else { throw fail("truncated BINSTRING") }
                try push(.string(try string(Int(n))))
            case 0x43, 0x42:                                                          // SHORT_BINBYTES, BINBYTES
                let n = op == 0x43 ? c.u8().map(UInt32.init) : c.u32()
                guard let n, let b = c.bytes(Int(n)) else { throw fail("truncated BINBYTES") }
                try push(.bytes(Array(b)))
            case 0x71, 0x72:                                                          // BINPUT, LONG_BINPUT
                let k = op == 0x71 ? c.u8().map(Int.init) : c.u32().map(Int.init)
                guard let k, let top = stack.last, let depth = depths.last else { throw fail("bad BINPUT") }
                guard memo.count < Self.maxMemo || memo[k] != nil else { throw fail("memo too large") }
                memo[k] = (top, depth)
            case 0x94:                                                                // MEMOIZE
                guard let top = stack.last, let depth = depths.last, memo.count < Self.maxMemo else { throw fail("bad MEMOIZE") }
                memo[memo.count] = (top, depth)
            case 0x68, 0x6A:                                                          // BINGET, LONG_BINGET
                let k = op == 0x68 ? c.u8().map(Int.init) : c.u32().map(Int.init)
                guard let k, let v = memo[k] else { throw fail("BINGET of an unknown memo key") }
                try push(v.value, depth: v.depth)
            case 0x63:                                                                // GLOBAL
                let module = try line(), name = try line()
                try push(.global(module + "." + name))
            case 0x93:                                                                // STACK_GLOBAL
                guard case .string(let name) = try pop().value, case .string(let module) = try pop().value else { throw fail("bad STACK_GLOBAL") }
                try push(.global(module + "." + name))
            case 0x51: let id = try pop(); try push(.persistent(id.value), depth: id.depth + 1) // BINPERSISTENT
            case 0x73:                                                                // SETITEM
                let v = try pop(), k = try pop()
                try setItems([k.value, v.value], depth: max(k.depth, v.depth))
            case 0x75: let (items, depth) = try popMark(); try setItems(items, depth: depth) // SETITEMS
            case 0x61:                                                                // APPEND
                let v = try pop()
                var list = try pop()
                guard case .list(var l) = list.value else { throw fail("APPEND on a non-list") }
                list.value = .none
                try charge(size: l.count, added: 1)
                l.append(v.value)
                try push(.list(l), depth: max(list.depth, v.depth + 1))
            case 0x65:                                                                // APPENDS
                let (items, depth) = try popMark()
                var list = try pop()
                guard case .list(var l) = list.value else { throw fail("APPENDS on a non-list") }
                list.value = .none
                try charge(size: l.count, added: items.count)
                l += items
                try push(.list(l), depth: max(list.depth, items.isEmpty ? 1 : depth + 1))
            case 0x62:                                                                // BUILD: state of an OrderedDict (_metadata) is dropped
                _ = try pop()
                guard stack.last != nil else { throw fail("BUILD on an empty stack") }
            case 0x52:                                                                // REDUCE
                let args = try pop(), callable = try pop()
                try push(try reduce(callable.value, args.value, fail), depth: max(callable.depth, args.depth))
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
