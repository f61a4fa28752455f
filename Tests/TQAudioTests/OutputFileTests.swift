import Foundation
import Testing
@testable import TQAudio

/// `OutputFile`'s commit: a destination that appears while the output is being written is not
/// replaced unless `overwrite` was given.
@Suite struct OutputFileTests {
    func directory(of path: String) -> [String] {
        let dir = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains(name) }.sorted()
    }

    @Test func aDestinationThatAppearsMeanwhileIsNotReplaced() throws {
        let path = temporaryPath("late.tqa")
        let f = try OutputFile(path: path, overwrite: false)
        try f.write([1, 2, 3])
        try Data([9]).write(to: URL(fileURLWithPath: path))
        #expect(throws: FileError.exists(path: path)) { try f.commit() }
        #expect(fileBytes(path) == [9])
        #expect(directory(of: path) == [(path as NSString).lastPathComponent], "temporary file left: \(directory(of: path))")
    }

    @Test func withOverwriteItIsReplaced() throws {
        let path = temporaryPath("late.tqa")
        let f = try OutputFile(path: path, overwrite: true)
        try f.write([1, 2, 3])
        try Data([9]).write(to: URL(fileURLWithPath: path))
        try f.commit()
        #expect(fileBytes(path) == [1, 2, 3])
    }

    @Test func twoWritersToOnePathTheSecondCommitFails() throws {
        let path = temporaryPath("twice.tqa")
        let a = try OutputFile(path: path, overwrite: false), b = try OutputFile(path: path, overwrite: false)
        try a.write([1])
        try b.write([2])
        try a.commit()
        #expect(throws: FileError.exists(path: path)) { try b.commit() }
        #expect(fileBytes(path) == [1])
        #expect(directory(of: path) == [(path as NSString).lastPathComponent])
    }
}
