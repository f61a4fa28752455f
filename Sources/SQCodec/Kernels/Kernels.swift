/// The float32 kernels behind the SQCodec layers: plain functions on `Matrix` values, grouped
/// in one namespace and split over `Kernels+*.swift` files by topic.
///
/// Every kernel loops over contiguous memory in its innermost loop (an axpy or a dot
/// product over frames or channels) and allocates only its output. The tests check each one
/// against a naive implementation written straight from the formula.
public enum Kernels {
    /// `torch.finfo(torch.float32).eps`, the epsilon sq-codec uses for Snake, ChannelNorm and GRN.
    public static let float32Epsilon: Float = 1.1920929e-07
}
