import Foundation
import Testing
@testable import SQCodec

@Suite struct L3ACConfigurationTests {
    /// The table of issue 16 and docs/L3AC.md, from `l3ac` 1.0's configs.
    @Test func publishedTable() {
        let expected: [(String, Double, Int, Double, Int, Bool)] = [
            ("0k75bps", 44.44, 117_649, 748.6, 360, true),
            ("1kbps", 59.26, 117_649, 998.2, 270, true),
            ("1k5bps", 88.89, 117_649, 1497.3, 180, true),
            ("3kbps", 166.67, 250_047, 2988.6, 96, false),
        ]
        #expect(L3ACConfiguration.published.map(\.name) == expected.map(\.0))
        for (name, tps, size, bps, hop, compressed) in expected {
            let c = L3ACConfiguration.named(name)!
            #expect(c.problem == nil, "\(name)")
            #expect(c.sampleRate == 16000 && c.tag == "\(name).v1", "\(name)")
            #expect(abs(c.tokensPerSecond - tps) < 0.01, "\(name): \(c.tokensPerSecond)")
            #expect(c.codebookSize == size, "\(name)")
            #expect(abs(c.bitrate - bps) < 0.05, "\(name): \(c.bitrate)")
            #expect(c.hopLength == hop && c.fillLength == hop, "\(name)")
            #expect(c.usesCompressedTransformer == compressed, "\(name)")
        }
        #expect(L3ACConfiguration.named("debug") == nil)
    }

    @Test func transformerDepthsAreFixedForTheEncoder() {
        let c = L3ACConfiguration.named("0k75bps")!
        #expect(c.transformerEncoderDepths.before == 1 && c.transformerEncoderDepths.after == 2)
        #expect(c.transformerDecoderDepths.before == 3 && c.transformerDecoderDepths.after == 2)
        let local = L3ACConfiguration.named("3kbps")!
        #expect(local.transformerEncoderDepths.before == 1 && local.transformerEncoderDepths.after == 0)
        #expect(local.transformerDecoderDepths.before == 3 && local.transformerDecoderDepths.after == 0)
    }

    @Test func problemsAreNamed() {
        var c = L3ACConfiguration.named("1kbps")!
        c.enCoderDepth = 1
        #expect(c.problem == "compressed transformer needs depth >= 2")
        c = L3ACConfiguration.named("1kbps")!
        c.decodeRates = [5, 3, 3, 3]
        #expect(c.problem == "encoder and decoder rates differ")
        c = L3ACConfiguration.named("3kbps")!
        c.levels = [9, 1]
        #expect(c.problem == "super-FSQ levels must be at least 2")
    }

    @Test(arguments: L3ACFixture.names)
    func fixturesAreValidAndPinned(name: String) throws {
        let f = try L3ACFixture(name)
        #expect(f.configuration.problem == nil)
        #expect(f.metadata["l3ac"] == "1.0")
        #expect(f.metadata["local-attention"] == "1.11.2")
        // The reference pads to one hop: `tokens · hop` decoded samples, at least the input's.
        let tokens = f.int32["tokens"]!.count
        let hop = f.configuration.hopLength
        #expect(f.vector("decoded").count == tokens * hop)
        #expect(tokens == (f.vector("input").count + hop - 1) / hop)
    }
}
