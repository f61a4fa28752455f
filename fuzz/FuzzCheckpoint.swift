// libFuzzer target: SQCodec's checkpoint loaders (zip archive + pickle of torch.save, and
// safetensors) on arbitrary bytes. Compiled into the module with Sources/SQCodec/Checkpoint/*.swift
// so that it reaches the internal loaders.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size > 0 ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    _ = try? TorchCheckpoint.tensors(bytes: bytes, file: "fuzz.pt")
    _ = try? SafeTensors.read(bytes: bytes, file: "fuzz.safetensors", floatOnly: false)
    return 0
}
