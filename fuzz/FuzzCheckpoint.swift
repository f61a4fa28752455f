// libFuzzer target: SQCodec's checkpoint loaders (zip archive + pickle of torch.save, and
// safetensors) on arbitrary bytes. Compiled into the module with Sources/SQCodec/Checkpoint/*.swift
// so that it reaches the internal loaders.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    // Values are converted when asked for (after a layer's shape check): ask for every one, so
    // that the conversion of whatever the checks let through is fuzzed too.
    var tensors = Array(((try? TorchCheckpoint.tensors(bytes: bytes, file: "fuzz.pt")) ?? [:]).values)
    tensors += ((try? SafeTensors.read(bytes: bytes, file: "fuzz.safetensors", floatOnly: false))?.tensors ?? [:]).values
    for t in tensors where t.values.count != t.count { fatalError("a tensor of \(t.count) elements converted to \(t.values.count)") }
    return 0
}
