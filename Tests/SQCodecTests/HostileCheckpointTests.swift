import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import SQCodec

/// Checkpoints made to hurt the loader (issue 17): nesting that would overflow the stack, files
/// far larger than the model, and weights that would turn the audio into NaN. Every recipe is
/// made here at run time.
@Suite struct HostileCheckpointTests {
    /// PROTO 2, NONE, `count` × TUPLE1, STOP: tuples nested `count` deep.
    static func nestedTuples(_ count: Int) -> [UInt8] {
        [0x80, 2, 0x4E] + [UInt8](repeating: 0x85, count: count) + [0x2E]
    }

    /// `{"k": [{"k": [… None …]}]}`, `count` dicts deep: each level pushes EMPTY_DICT,
    /// SHORT_BINUNICODE "k", EMPTY_LIST; the innermost value is NONE; then APPEND, SETITEM per
    /// level close them from the inside out.
    static func listsInDicts(_ count: Int) -> [UInt8] {
        var p: [UInt8] = [0x80, 2]
        for _ in 0..<count { p += [0x7D, 0x8C, 1, 0x6B, 0x5D] }
        p.append(0x4E)
        for _ in 0..<count { p += [0x61, 0x73] }
        return p + [0x2E]
    }

    @Test func deeplyNestedTuplesAreRefused() {
        let limit = PickleReader.maxDepth
        // Depth `limit` is accepted; one more is the named error, at the opcode that makes it.
        #expect(throws: Never.self) { try PickleReader(file: "ok.pkl").read(Self.nestedTuples(limit)[...]) }
        #expect(throws: CheckpointError.pickleTooDeep(file: "deep.pkl", offset: 3 + limit, limit: limit)) {
            try PickleReader(file: "deep.pkl").read(Self.nestedTuples(limit + 1)[...])
        }
        #expect(throws: CheckpointError.pickleTooDeep(file: "deep.pkl", offset: 3 + limit, limit: limit)) {
            try PickleReader(file: "deep.pkl").read(Self.nestedTuples(50_000)[...])
        }
    }

    @Test func deeplyNestedListsInDictsAreRefused() throws {
        let limit = PickleReader.maxDepth
        // Each level is a list in a dict: two levels of nesting.
        let ok = try PickleReader(file: "ok.pkl").read(Self.listsInDicts(limit / 2)[...])
        guard case .dict(let pairs) = ok else { Issue.record("not a dict: \(ok)"); return }
        #expect(pairs.count == 1)
        do {
            _ = try PickleReader(file: "deep.pkl").read(Self.listsInDicts(50_000)[...])
            Issue.record("a pickle 100 000 containers deep was read")
        } catch let CheckpointError.pickleTooDeep(file, _, l) {
            #expect(file == "deep.pkl" && l == limit)
        }
        // MARK … TUPLE, APPENDS, SETITEMS and the memo keep the depth too.
        var p: [UInt8] = [0x80, 2, 0x4E]
        for _ in 0...limit { p += [0x28, 0x71, 0, 0x68, 0, 0x74] }   // MARK, BINPUT 0, BINGET 0, TUPLE
        #expect(throws: CheckpointError.self) { try PickleReader(file: "deep.pkl").read((p + [0x2E])[...]) }
    }

    /// A dict grown one SETITEM at a time (here 200 000 of them, 1 MB of pickle), or a list one
    /// APPEND at a time with the memo sharing it at every step (each step a full copy), is an
    /// error once the growth is far beyond a state dict's, not quadratic time (the fuzzer's
    /// pickle target found the first: 56 064 SETITEMs took over 10 s).
    @Test func containersGrownOneItemAtATimeAreBounded() {
        let item: [UInt8] = [0x8C, 1, 0x6B, 0x4E, 0x73]                         // "k", None, SETITEM
        let single: [UInt8] = [0x80, 2, 0x7D] + Array([[UInt8]](repeating: item, count: 200_000).joined()) + [0x2E]
        #expect(throws: CheckpointError.self) { try PickleReader(file: "grow.pkl").read(single[...]) }
        let shared: [UInt8] = [0x4E, 0x61, 0x71, 0]                               // None, APPEND, BINPUT 0
        let memo: [UInt8] = [0x80, 2, 0x5D] + Array([[UInt8]](repeating: shared, count: 200_000).joined()) + [0x2E]
        #expect(throws: CheckpointError.self) { try PickleReader(file: "grow.pkl").read(memo[...]) }
    }

    /// The fuzzer's input itself (`.build-fuzz/artifacts/pickle-timeout-6160f13b…`), expanded as
    /// fuzz/FuzzPickleNesting.swift does: records (count u16 LE, length u8, opcodes) after PROTO 2,
    /// each opcode run repeated count times, then STOP.
    @Test func fuzzerPickleTimeoutIsAnError() throws {
        let input = try #require(Data(base64Encoded: "AQABfQDbBX2MAZZz/v/ZXWGM")).map { $0 }
        var pickle: [UInt8] = [0x80, 2], i = 0
        while i + 3 <= input.count {
            let count = Int(input[i]) | Int(input[i + 1]) << 8, n = Int(input[i + 2])
            let run = input[min(i + 3, input.count) ..< min(i + 3 + n, input.count)]
            i += 3 + n
            for _ in 0..<count where pickle.count + run.count <= 4 << 20 { pickle += run }
        }
        #expect(throws: CheckpointError.self) { try PickleReader(file: "fuzz.pkl").read((pickle + [0x2E])[...]) }
    }

    /// torch.save's way, SETITEMS and APPENDS in batches of 1000, reads 50 000 items.
    @Test func batchedContainersOfAnySizeAreRead() throws {
        var p: [UInt8] = [0x80, 2, 0x7D]
        for _ in 0..<50 { p += [0x28] + Array([[UInt8]](repeating: [0x8C, 1, 0x6B, 0x4E], count: 1000).joined()) + [0x75] }
        guard case .dict(let pairs) = try PickleReader(file: "big.pkl").read((p + [0x2E])[...]) else { Issue.record("not a dict"); return }
        #expect(pairs.count == 50_000)
        var l: [UInt8] = [0x80, 2, 0x5D]
        for _ in 0..<50 { l += [0x28] + [UInt8](repeating: 0x4E, count: 1000) + [0x65] }
        guard case .list(let items) = try PickleReader(file: "big.pkl").read((l + [0x2E])[...]) else { Issue.record("not a list"); return }
        #expect(items.count == 50_000)
    }

    /// The same nesting inside a `.pt` archive, through the loader `tqa decode` uses.
    @Test func deeplyNestedPickleInATorchFileIsRefused() throws {
        let pt = StoredZip.archive([("archive/data.pkl", Self.nestedTuples(50_000)), ("archive/byteorder", Array("little".utf8))])
        #expect(throws: CheckpointError.pickleTooDeep(file: "q.pt", offset: 3 + PickleReader.maxDepth, limit: PickleReader.maxDepth)) {
            try TorchCheckpoint.tensors(bytes: pt, file: "q.pt")
        }
    }

    /// A copy of the small_local weights whose quantizer.safetensors is made 1.9 GB long by a
    /// hole after its real bytes (ftruncate: no disk, no memory), as in the report.
    @Test func aFileFarLargerThanTheModelNeedsIsRefusedUnread() throws {
        let f = try Fixture("small_local")
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("sq-sparse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        for file in try FileManager.default.contentsOfDirectory(atPath: f.directory.path) where file.hasSuffix(".safetensors") {
            try FileManager.default.copyItem(at: f.directory.appendingPathComponent(file), to: tmp.appendingPathComponent(file))
        }
        let quantizer = tmp.appendingPathComponent("quantizer.safetensors")
        let size = 1_900_000_000
        let handle = try FileHandle(forWritingTo: quantizer)
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()

        let before = Self.peakResidentBytes()
        do {
            _ = try SQCodecModel(configuration: f.configuration, directory: tmp)
            Issue.record("a 1.9 GB quantizer for a model of a few kB was loaded")
        } catch let CheckpointError.fileTooLarge(file, found, limit) {
            #expect(file == quantizer.path)
            #expect(found == size)
            #expect(limit < 100_000_000, "the limit \(limit) follows the model's size")
        }
        let grown = Self.peakResidentBytes() - before
        #expect(grown < 200_000_000, "peak resident memory grew by \(grown) bytes")
    }

    /// The peak resident set size of this process so far (`getrusage`, Linux reports kB).
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(Int32(truncatingIfNeeded: RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }

    /// NaN or infinity in a weight would make every decoded sample NaN; 3e38 is finite but
    /// overflows the first layer. Both are refused when the model is built, naming the tensor.
    @Test(arguments: [Float.nan, -Float.infinity, 3e38, -2e6])
    func corruptWeightsAreRefusedByName(value: Float) throws {
        let f = try Fixture("small_local")
        var all = try CheckpointDirectory.load(f.directory, model: f.name, modules: SQCodecModel.moduleNames)
        all["quantizer"]!["project_out.weight"]!.values[5] = value
        let expected: CheckpointError = value.isFinite
            ? .implausibleTensorValue(tensor: "quantizer.project_out.weight", index: 5, value: value, limit: TensorStore.maxWeightMagnitude)
            : .nonFiniteTensor(tensor: "quantizer.project_out.weight", index: 5)
        #expect(throws: expected) { try SQCodecModel(configuration: f.configuration, tensors: all) }
        // Through the files, as `tqa decode --weights` reads them.
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("sq-nan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        for (module, tensors) in all { try writeSafetensors(tensors, to: tmp.appendingPathComponent("\(module).safetensors")) }
        #expect(throws: expected) { try SQCodecModel(configuration: f.configuration, directory: tmp, parts: .decoding) }
    }
}

/// Writes a zip archive of stored entries (test helper), optionally with zip64 end records.
enum StoredZip {
    static func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

    /// Local headers and data, the central directory, then (when `zip64`) the zip64 end record
    /// and its locator, and the end record (with 0xFFFF / 0xFFFFFFFF markers when `zip64`).
    static func archive(_ entries: [(String, [UInt8])], zip64: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (name, data) in entries {
            let offset = out.count
            let n = Array(name.utf8)
            out += le(0x0403_4B50, 4) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(0, 4)
                + le(UInt64(data.count), 4) + le(UInt64(data.count), 4) + le(UInt64(n.count), 2) + le(0, 2) + n + data
            central += le(0x0201_4B50, 4) + le(45, 2) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(0, 4)
                + le(UInt64(data.count), 4) + le(UInt64(data.count), 4) + le(UInt64(n.count), 2) + le(0, 2) + le(0, 2)
                + le(0, 2) + le(0, 2) + le(0, 4) + le(UInt64(offset), 4) + n
        }
        let cdOffset = out.count
        out += central
        let count = UInt64(entries.count)
        if zip64 {
            let record = out.count
            out += le(0x0606_4B50, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4)
                + le(count, 8) + le(count, 8) + le(UInt64(central.count), 8) + le(UInt64(cdOffset), 8)
            out += le(0x0706_4B50, 4) + le(0, 4) + le(UInt64(record), 8) + le(1, 4)
            out += le(0x0605_4B50, 4) + le(0, 2) + le(0, 2) + le(0xFFFF, 2) + le(0xFFFF, 2)
                + le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4) + le(0, 2)
        } else {
            out += le(0x0605_4B50, 4) + le(0, 2) + le(0, 2) + le(count, 2) + le(count, 2)
                + le(UInt64(central.count), 4) + le(UInt64(cdOffset), 4) + le(0, 2)
        }
        return out
    }
}
