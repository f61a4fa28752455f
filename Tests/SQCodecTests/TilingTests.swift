import Foundation
import Testing
@testable import SQCodec

/// The residual units run tile by tile (`mapTiles`) and on several threads; both must give the
/// whole-sequence result, bit for bit where the arithmetic is the same.
@Suite struct TilingTests {
    static func input(rows: Int, cols: Int, seed: UInt64, scale: Float = 1) -> Matrix {
        var g = SeededGenerator(seed: seed)
        return Matrix(rows: rows, cols: cols, data: (0..<(rows * cols)).map { _ in Float.random(in: -scale...scale, using: &g) })
    }

    @Test(arguments: [UInt64(3), 4])
    func residualUnitsInTilesEqualTheWholeSequence(seed: UInt64) throws {
        let model = try RandomWeights.model(SQCodecConfiguration.named("6kbps")!, seed: seed)
        // Stage 0: 384 channels, tiles of 80 frames; the last legacy unit: 48 channels, dilation 9.
        let unit = model.decoder.stages[0].units[0]
        let x = Self.input(rows: 384, cols: 333, seed: seed)
        let tiled = unit(x), whole = unit.whole(x)
        #expect(tiled.rows == whole.rows && tiled.cols == whole.cols)
        #expect(tiled.data == whole.data, "seed \(seed): ConvUnit tiles differ from the whole sequence")
        let threaded = Kernels.$threads.withValue(2) { unit(x) }
        #expect(threaded.data == tiled.data, "seed \(seed): two threads changed the ConvUnit")

        let legacy = model.decoder.legacyUnits[2]
        let y = Self.input(rows: 48, cols: 4000, seed: seed + 100)
        #expect(legacy(y).data == legacy.whole(y).data, "seed \(seed): LegacyUnit tiles differ from the whole sequence")
        #expect(Kernels.$threads.withValue(2) { legacy(y) }.data == legacy(y).data, "seed \(seed)")

        // The encoder's first block: trend pooling up to 45 frames wide, tiles of 4096.
        let first = model.encoder.first
        let w = Self.input(rows: 1, cols: 9000, seed: seed + 200, scale: 0.5)
        #expect(first(w).data == first.whole(w).data, "seed \(seed): FirstBlock tiles differ from the whole sequence")
    }

    @Test func mapTilesKeepsEdgesAndContext() {
        // A 5-tap moving sum with zero padding: reach 2.
        let x = Self.input(rows: 2, cols: 103, seed: 9)
        let sum5 = { (m: Matrix) -> Matrix in
            var out = Matrix(rows: m.rows, cols: m.cols)
            for r in 0..<m.rows { for j in 0..<m.cols {
                var s: Float = 0
                for d in -2...2 where j + d >= 0 && j + d < m.cols { s += m[r, j + d] }
                out[r, j] = s
            } }
            return out
        }
        for width in [1, 7, 16, 103, 200] {
            #expect(mapTiles(x, reach: 2, width: width, sum5).data == sum5(x).data, "width \(width) (seed 9)")
        }
    }
}
