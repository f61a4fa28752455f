import TQAudio

/// The float32 kernels behind the SQCodec layers: plain functions on `Matrix` values, grouped
/// in one namespace and split over `Kernels+*.swift` files by topic.
///
/// Every kernel loops over contiguous memory in its innermost loop (an axpy or a dot
/// product over frames or channels) and allocates only its output. The tests check each one
/// against a naive implementation written straight from the formula.
public enum Kernels {
    /// `torch.finfo(torch.float32).eps`, the epsilon sq-codec uses for Snake, ChannelNorm and GRN.
    public static let float32Epsilon: Float = 1.1920929e-07

    /// Threads the kernels may use, set around a computation with `Kernels.$threads.withValue(n) { … }`
    /// (`SQCodecModel.encode`/`decode` take a `threads` argument that does so). Kernels running
    /// on a worker thread see the default, 1, so parallel sections never nest.
    @TaskLocal public static var threads: Int = 1

    /// `body(i)` for `i` in `0..<count`, shared out over `threads` threads (default: `Kernels.threads`);
    /// inside `body`, `Kernels.threads` is 1.
    static func parallel(count: Int, threads: Int = Kernels.threads, _ body: (Int) -> Void) {
        if threads <= 1 || count <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        parallelFor(count: count, threads: threads) { i, _ in Kernels.$threads.withValue(1) { body(i) } }
    }

    /// `body(i)` for `i` in `0..<count`, items of about equal work (tiles of a sequence): whole
    /// rounds of `threads` items side by side, one thread each, then the `count % threads` left
    /// over one after another, each with all the threads (its kernels share them out), so that
    /// no thread waits out a last round alone. Kernels give the same values on any thread count.
    static func parallelTiles(count: Int, threads: Int = Kernels.threads, _ body: (Int) -> Void) {
        let rest = threads > 1 ? count % threads : 0
        parallel(count: count - rest, threads: threads, body)
        if rest > 0 { Kernels.$threads.withValue(threads) { for i in count - rest ..< count { body(i) } } }
    }
}
