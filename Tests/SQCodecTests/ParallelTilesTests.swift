import Testing
import TQAudio
@testable import SQCodec

/// The schedulers and product paths added for two-thread scaling and one-thread speed, each
/// checked bit for bit against the one-thread or packed path on seeded random data. Failures
/// print the seed.
@Suite struct ParallelTilesTests {
    /// Every item runs exactly once; the whole rounds see one thread, the leftover items all of them.
    @Test func parallelTilesRunsEachItemOnceWithItsThreads() {
        for threads in 1...3 {
            for count in 0...9 {
                let seen = (0..<count).map { _ in UncheckedBox(UnsafeMutablePointer<Int>.allocate(capacity: 2)) }
                for s in seen { s.value.initialize(repeating: 0, count: 2) }
                Kernels.parallelTiles(count: count, threads: threads) { i in
                    seen[i].value[0] += 1
                    seen[i].value[1] = Kernels.threads
                }
                let rest = threads > 1 ? count % threads : 0
                for (i, s) in seen.enumerated() {
                    #expect(s.value[0] == 1, "\(count) items on \(threads) threads: item \(i) ran \(s.value[0]) times")
                    let expected = i >= count - rest ? threads : 1
                    #expect(threads == 1 || s.value[1] == expected,
                            "\(count) items on \(threads) threads: item \(i) saw \(s.value[1]) threads, expected \(expected)")
                    s.value.deallocate()
                }
            }
        }
    }

    /// A local map (a depth-wise convolution) tile by tile in place, on 1, 2 and 3 threads and
    /// tile counts that leave items over, against the map over the whole sequence.
    @Test(arguments: [UInt64(31), 32, 33])
    func mapTilesInPlaceMatchesTheWholeSequence(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let c = 40, t = Int.random(in: 700...1500, using: &g), k = 7, dilation = Int.random(in: 1...3, using: &g)
        let padding = 3 * dilation
        let x = Matrix(rows: c, cols: t, data: KernelTests.random(c * t, &g, scale: 3))
        let w = KernelTests.random(c * k, &g), b = KernelTests.random(c, &g)
        let whole = Kernels.depthwiseConv1d(x, weight: w, bias: b, kernelSize: k, dilation: dilation, padding: padding, frames: 0..<t)
        for threads in 1...3 {
            for width in [16, 48, 64] {
                var y = x
                Kernels.$threads.withValue(threads) {
                    mapTilesInPlace(&y, reach: padding, width: width) { s, kept in
                        Kernels.depthwiseConv1d(s, weight: w, bias: b, kernelSize: k, dilation: dilation, padding: padding, frames: kept)
                    }
                }
                #expect(y.data.map(\.bitPattern) == whole.data.map(\.bitPattern),
                        "seed \(seed), \(threads) threads, width \(width): tiles differ from the whole sequence")
            }
        }
    }

    /// A product's rows are the same whether its column panels are read in place (few rows) or
    /// packed (more rows): the first rows of a taller product, same `b`, bit for bit.
    @Test(arguments: [UInt64(41), 42, 43, 44])
    func gemmRowsAgreeInPlaceAndPacked(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let small = Kernels.gemmInPlaceRows - Int.random(in: 0...5, using: &g), tall = Kernels.gemmInPlaceRows + 30
        let n = Int.random(in: 16...150, using: &g), k = Int.random(in: 1...900, using: &g)
        let a = KernelTests.random(tall * k, &g), b = KernelTests.random(k * n, &g), c0 = KernelTests.random(tall * n, &g)
        for packedA in [false, true] {
            var cSmall = Array(c0[0 ..< small * n]), cTall = c0
            b.withUnsafeBufferPointer { bp in
                if packedA {
                    let pSmall = Kernels.PackedMatrix(rows: small, depth: k, rowMajor: Array(a[0 ..< small * k]))
                    let pTall = Kernels.PackedMatrix(rows: tall, depth: k, rowMajor: a)
                    cSmall.withUnsafeMutableBufferPointer { Kernels.gemm(n: n, a: pSmall, b: bp.baseAddress!, ldb: n, c: $0.baseAddress!, ldc: n, threads: 1) }
                    cTall.withUnsafeMutableBufferPointer { Kernels.gemm(n: n, a: pTall, b: bp.baseAddress!, ldb: n, c: $0.baseAddress!, ldc: n, threads: 1) }
                } else {
                    a.withUnsafeBufferPointer { ap in
                        cSmall.withUnsafeMutableBufferPointer {
                            Kernels.gemm(m: small, n: n, k: k, a: ap.baseAddress!, b: bp.baseAddress!, c: $0.baseAddress!, threads: 1)
                        }
                        cTall.withUnsafeMutableBufferPointer {
                            Kernels.gemm(m: tall, n: n, k: k, a: ap.baseAddress!, b: bp.baseAddress!, c: $0.baseAddress!, threads: 1)
                        }
                    }
                }
            }
            #expect(cSmall.map(\.bitPattern) == cTall[0 ..< small * n].map(\.bitPattern),
                    "seed \(seed), \(small) and \(tall) rows, n \(n), k \(k), packed a: \(packedA)")
        }
    }
}
