import Foundation
import Testing
@testable import SQCodec

@Suite struct ModelTests {
    @Test func decodeRejectsBadTokens() throws {
        let f = try Fixture("small_compressed_cache")
        let model = try f.model()
        let size = f.configuration.codebookSize
        var tokens = f.tokens
        tokens[5] = Int32(size)
        #expect(throws: SQCodecError.tokenOutOfRange(index: 5, value: Int32(size), codebookSize: size)) { try model.decode(tokens) }
        tokens[5] = -1
        #expect(throws: SQCodecError.tokenOutOfRange(index: 5, value: -1, codebookSize: size)) { try model.decode(tokens) }
        let block = f.configuration.tokensPerBlock
        #expect(throws: SQCodecError.tokenCountNotBlockMultiple(count: block + 1, block: block)) {
            try model.decode(Array(f.tokens.prefix(block + 1)))
        }
        #expect(try model.decode([]) == [])
    }

    @Test(arguments: Fixture.names)
    func lengthsFollowTheBlocks(name: String) throws {
        let f = try Fixture(name)
        let model = try f.model()
        let c = f.configuration
        let tokens = model.encode([Float](repeating: 0.1, count: c.fillLength + 1))
        #expect(tokens.count == 2 * c.tokensPerBlock)
        #expect(model.encode([]).count == c.tokensPerBlock)
        let audio = try model.decode(tokens)
        #expect(audio.count == 2 * c.fillLength)
        #expect(audio.allSatisfy { $0.isFinite && abs($0) <= 1 })
    }
}
