import Foundation

/// A checkpoint as the Python package caches it: one file per module in one directory,
/// `<module>.pt` (preferred) or `<module>.safetensors`.
enum CheckpointDirectory {
    /// Files larger than this are refused before they are read (the largest published module is
    /// a few tens of MB).
    static let maxFileSize = 2_000_000_000

    static func load(_ directory: URL, model: String, modules: [String]) throws -> [String: [String: StoredTensor]] {
        let fm = FileManager.default
        var out: [String: [String: StoredTensor]] = [:]
        var missing: [String] = []
        for module in modules {
            let pt = directory.appendingPathComponent("\(module).pt")
            let st = directory.appendingPathComponent("\(module).safetensors")
            if fm.fileExists(atPath: pt.path) {
                out[module] = try TorchCheckpoint.tensors(bytes: try readFile(pt), file: pt.path)
            } else if fm.fileExists(atPath: st.path) {
                out[module] = try SafeTensors.read(bytes: try readFile(st), file: st.path).tensors
            } else {
                missing.append(module)
            }
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
