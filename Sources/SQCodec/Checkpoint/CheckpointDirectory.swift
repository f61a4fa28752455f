import Foundation
import TQAudio

/// A checkpoint as the Python package caches it: one file per module in one directory,
/// `<module>.pt` (preferred) or `<module>.safetensors`.
enum CheckpointDirectory {
    /// Files larger than this are refused before they are read (the largest published module is
    /// a few tens of MB).
    static let maxFileSize = 2_000_000_000

    /// The tensors of each of `modules` found in `directory`, read on up to `threads` threads
    /// (a module at a time each).
    static func load(_ directory: URL, model: String, modules: [String], threads: Int = 1) throws -> [String: [String: StoredTensor]] {
        let fm = FileManager.default
        var read = [Result<[String: StoredTensor], Error>?](repeating: nil, count: modules.count)
        read.withUnsafeMutableBufferPointer { slots in
            let out = UncheckedBox(slots.baseAddress!)
            parallelFor(count: modules.count, threads: threads) { i, _ in
                let pt = directory.appendingPathComponent("\(modules[i]).pt")
                let st = directory.appendingPathComponent("\(modules[i]).safetensors")
                if fm.fileExists(atPath: pt.path) {
                    out.value[i] = Result { try TorchCheckpoint.tensors(bytes: try readFile(pt), file: pt.path) }
                } else if fm.fileExists(atPath: st.path) {
                    out.value[i] = Result { try SafeTensors.read(bytes: try readFile(st), file: st.path).tensors }
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
            throw CheckpointError.weightsNotFound(
                model: model, directory: directory.path,
                hint: "missing \(names). Put the published weights there (or pass --weights DIR); they are published at "
                    + "https://huggingface.co/zhai-lw/SQCodec under weights/\(model).v0/ (encoder.pt, quantizer.pt, "
                    + "decoder.pt, en_encoder.pt, en_decoder.pt). Nothing is downloaded at run time.")
        }
        return out
    }

    static func readFile(_ url: URL) throws -> [UInt8] {
        let attrs = try? FileManager.default.attributesOfItem(atPath: url.path)
        if let size = (attrs?[.size] as? NSNumber)?.intValue, size > maxFileSize {
            throw CheckpointError.unreadable(file: url.path, reason: "\(size) bytes is larger than the \(maxFileSize)-byte limit")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CheckpointError.unreadable(file: url.path, reason: "cannot open the file")
        }
        // One copy of the bytes (the element-wise Sequence conversion is far slower).
        return [UInt8](unsafeUninitializedCapacity: data.count) { buffer, count in
            data.copyBytes(to: buffer)
            count = data.count
        }
    }
}
