/// An error a codec throws: it rejected its parameters, a header, or a packet's payload.
/// Each codec has its own enum (`TurboError`, `SpectralError`, `SQCodecStreamError`) stating
/// the fact; this marker lets code above the codecs tell them apart from `ContainerError`, the
/// container's own damage. A codec error from a packet whose CRC held is that packet's damage
/// (or a forgery): `TQAStreamDecoder` with salvage drops the packet, `tqa test` calls it damage.
public protocol CodecError: Error, CustomStringConvertible {}
