import Testing
import TQAudio
@testable import SQCodec

/// The depth-wise convolution's eight-lane path against the tap-by-tap formula, bit for bit:
/// on seeded random inputs long enough for every path (edges, four vectors, one vector, single
/// frames), for whole outputs and frame ranges, on one thread and on two. Failures print the seed.
@Suite struct DepthwiseKernelTests {
    static let seeds: [UInt64] = Array(1...10)

    /// `y[c, j] = b[c] + Σ_k w[c, k] · x[c, j + k·dilation − padding]`, taps in order, skipping
    /// those outside the input: the arithmetic of the loop over taps.
    static func reference(_ x: Matrix, _ w: [Float], _ b: [Float], k: Int, dilation: Int, padding: Int, frames: Range<Int>) -> [Float] {
        var out: [Float] = []
        for c in 0..<x.rows {
            for j in frames {
                var s = b[c]
                for kk in 0..<k {
                    let pos = j + kk * dilation - padding
                    if pos >= 0 && pos < x.cols { s += w[c * k + kk] * x[c, pos] }
                }
                out.append(s)
            }
        }
        return out
    }

    static func bits(_ v: [Float]) -> [UInt32] { v.map(\.bitPattern) }

    @Test(arguments: seeds)
    func depthwiseMatchesTapByTapBitForBit(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let c = [3, 24, 130][Int.random(in: 0..<3, using: &g)]
        let k = [1, 3, 7][Int.random(in: 0..<3, using: &g)], dilation = Int.random(in: 1...9, using: &g)
        let padding = Int.random(in: 0...((k - 1) * dilation), using: &g)
        let t = Int.random(in: 1...300, using: &g)
        let x = Matrix(rows: c, cols: t, data: KernelTests.random(c * t, &g, scale: 4))
        let w = KernelTests.random(c * k, &g), b = KernelTests.random(c, &g)
        let tOut = Kernels.convolutionFrames(t, kernelSize: k, stride: 1, dilation: dilation, padding: padding)
        guard tOut > 0 else { return }
        let lo = Int.random(in: 0..<tOut, using: &g), hi = Int.random(in: lo + 1 ... tOut, using: &g)
        let weight = Kernels.ConvolutionWeight(w, outChannels: c, inChannels: c, kernelSize: k, stride: 1, padding: padding, groups: c)
        for threads in [1, 2] {
            Kernels.$threads.withValue(threads) {
                let whole = Kernels.conv1d(x, weight: w, bias: b, outChannels: c, kernelSize: k, dilation: dilation,
                                           padding: padding, groups: c)
                #expect(whole.rows == c && whole.cols == tOut, "seed \(seed)")
                #expect(Self.bits(whole.data) == Self.bits(Self.reference(x, w, b, k: k, dilation: dilation, padding: padding,
                                                                          frames: 0..<tOut)), "seed \(seed), \(threads) threads")
                let part = Kernels.conv1d(x, weight: weight, bias: b, outChannels: c, kernelSize: k, stride: 1, dilation: dilation,
                                          padding: padding, groups: c, frames: lo..<hi)
                #expect(part.rows == c && part.cols == hi - lo, "seed \(seed)")
                #expect(Self.bits(part.data) == Self.bits(whole.columns(lo..<hi).data), "seed \(seed), frames \(lo..<hi), \(threads) threads")
            }
        }
    }
}
