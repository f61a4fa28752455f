import Foundation
import Testing
@testable import SQCodec

/// The zip reader behind `.pt` files: plain and zip64 end records (PKWARE APPNOTE 4.3.14–4.3.16).
@Suite struct ZipArchiveTests {
    static func entries(_ count: Int) -> [(String, [UInt8])] {
        (0..<count).map { i in ("a/\(i)", [UInt8(truncatingIfNeeded: i)]) }
    }

    @Test func readsAPlainArchive() throws {
        let zip = try ZipArchive(bytes: StoredZip.archive(Self.entries(3)), file: "p.zip")
        #expect(zip.entries.count == 3)
        #expect(zip.entries["a/2"].map { zip.bytes[$0.range] } == [2])
    }

    /// A few entries behind zip64 end records (the 16- and 32-bit fields all 0xFFFF…): the count
    /// and the central directory's offset come from the zip64 record.
    @Test func readsZip64EndRecords() throws {
        let zip = try ZipArchive(bytes: StoredZip.archive(Self.entries(3), zip64: true), file: "z.zip")
        #expect(zip.entries.count == 3)
        #expect(zip.entries["a/1"].map { zip.bytes[$0.range] } == [1])
    }

    /// 200 000 entries: more than the end record's 16-bit count can hold.
    @Test func readsTwoHundredThousandEntries() throws {
        let bytes = StoredZip.archive(Self.entries(200_000), zip64: true)
        let zip = try ZipArchive(bytes: bytes, file: "big.zip")
        #expect(zip.entries.count == 200_000)
        #expect(zip.entries["a/199999"].map { zip.bytes[$0.range] } == [UInt8(truncatingIfNeeded: 199_999)])
    }

    /// The same from Python's zipfile (which writes zip64 end records past 65 535 entries, and
    /// zip64 extra fields with `force_zip64`), when python3 is installed; 70 000 entries
    /// (python3 takes seconds per 100 000), above the 16-bit count all the same.
    @Test func readsPythonsZip64Archive() throws {
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("ZipArchiveTests.readsPythonsZip64Archive: skipped, no python3 found")
            return
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sq-zip64-\(UUID().uuidString).zip").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
                for i in range(70000):
                    with z.open(zipfile.ZipInfo("a/%d" % i), "w", force_zip64=(i % 2 == 0)) as f:
                        f.write(bytes([i % 256]))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script, path]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "python3 failed to write \(path)")
        let zip = try ZipArchive(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
        #expect(zip.entries.count == 70_000)
        #expect(zip.entries["a/69998"].map { zip.bytes[$0.range] } == [UInt8(69_998 % 256)])
        #expect(zip.entries["a/7"].map { zip.bytes[$0.range] } == [7])
    }
}
