import Foundation
import Testing
@testable import SQCodec

@Suite struct ConfigurationTests {
    @Test func publishedTable() {
        let expected: [(String, Int, Double, Int, Double)] = [
            ("0k75bps", 16000, 44.44, 117_649, 749),
            ("1k5bps", 16000, 88.89, 117_649, 1497),
            ("3kbps", 16000, 177.78, 117_649, 2994),
            ("6kbps", 16000, 355.56, 117_649, 5989),
            ("12kbps", 16000, 666.67, 250_047, 11955),
            ("12kbps_24khz", 24000, 666.67, 250_047, 11955),
            ("24kbps_24khz", 24000, 1333.33, 250_047, 23909),
        ]
        #expect(SQCodecConfiguration.published.map(\.name) == expected.map(\.0))
        for (name, rate, tps, size, bps) in expected {
            let c = SQCodecConfiguration.named(name)!
            #expect(c.problem == nil, "\(name)")
            #expect(c.sampleRate == rate, "\(name)")
            #expect(abs(c.tokensPerSecond - tps) < 0.01, "\(name): \(c.tokensPerSecond)")
            #expect(c.codebookSize == size, "\(name)")
            #expect(abs(c.bitrate - bps) < 1, "\(name): \(c.bitrate)")
        }
        #expect(SQCodecConfiguration.named("nope") == nil)
    }

    @Test func transformerVariants() {
        let compressed = SQCodecConfiguration.published.filter(\.usesCompressedTransformer).map(\.name)
        #expect(compressed == ["0k75bps", "1k5bps"])
        #expect(SQCodecConfiguration.named("6kbps")!.fillLength == 45 * 300)
    }

    @Test func fixtureConfigurationsAreValid() throws {
        for name in Fixture.names {
            let f = try Fixture(name)
            #expect(f.configuration.problem == nil)
            #expect(f.metadata["vector-quantize-pytorch"] == "1.20.11")
            #expect(f.metadata["sq-codec"] == "0.0.1")
            #expect(f.metadata["local-attention"]?.hasPrefix("1.11.") == true)
        }
    }

    @Test func invalidConfigurationIsAnError() {
        var c = SQCodecConfiguration.named("6kbps")!
        c.encoderDims = [24, 96]
        #expect(c.problem != nil)
        #expect(throws: SQCodecError.self) { try SQCodecModel(configuration: c, tensors: [:]) }
    }
}
