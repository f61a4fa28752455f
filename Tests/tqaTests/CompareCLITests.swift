import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `tqa compare` with a .tqa TEST and `--plot` (issue 14.9).
@Suite(.serialized) struct CompareCLITests {
    func ok(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Output {
        let o = try CLI.run(args)
        #expect(o.status == 0 && !o.crashed, "tqa \(args.joined(separator: " ")): \(o.stderr)", sourceLocation: sourceLocation)
        return o
    }

    @Test func tqaTestEqualsItsDecodedWAV() throws {
        let d = try ScratchDirectory()
        _ = try ok(["synth", "--type", "demo", "--duration", "1", "--sample-rate", "22050", "--channels", "2", "-o", d.file("a.wav")])
        _ = try ok(["encode", d.file("a.wav"), "-o", d.file("a.tqa"), "--codec", "spectral"])
        _ = try ok(["decode", d.file("a.tqa"), "-o", d.file("b.wav"), "--format", "f32"])
        let viaWAV = jsonObject(try ok(["compare", "--json", d.file("a.wav"), d.file("b.wav")]).stdout)
        let c = try ok(["compare", "--json", d.file("a.wav"), d.file("a.tqa")])
        #expect(c.stderr.isEmpty, "\(c.stderr)")
        let viaTQA = jsonObject(c.stdout)
        let a = viaWAV["snr_db"] as? Double ?? .nan, b = viaTQA["snr_db"] as? Double ?? -1
        #expect(abs(a - b) < 1e-3, "SNR via WAV \(a), via .tqa \(b)")
        #expect(viaTQA["frames"] as? Int == 22_050)
        // A damaged .tqa TEST is an error naming the packet.
        var bytes = readBytes(d.file("a.tqa"))
        bytes[bytes.count / 2] ^= 1
        try writeBytes(bytes, to: d.file("bad.tqa"))
        let bad = try CLI.run(["compare", d.file("a.wav"), d.file("bad.tqa")])
        #expect(bad.status == 1 && bad.stderr.hasPrefix("error: ") && bad.stderr.contains("packet"), "\(bad.stderr)")
    }

    @Test func plotIsWellFormedSVGWithEverySeries() throws {
        let d = try ScratchDirectory()
        _ = try ok(["synth", "--type", "demo", "--duration", "1.5", "--sample-rate", "44100", "--channels", "2", "-o", d.file("a.wav")])
        _ = try ok(["encode", d.file("a.wav"), "-o", d.file("a.tqa"), "--bits", "4"])
        _ = try ok(["compare", d.file("a.wav"), d.file("a.tqa"), "--plot", d.file("p.svg")])
        let data = try Data(contentsOf: URL(fileURLWithPath: d.file("p.svg")))
        let collector = ElementCollector()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        #expect(collector.elements.first == "svg")
        for c in 0...1 {
            for series in ["spectrum-reference", "spectrum-error", "band-snr", "segmental-snr", "segmental-mean"] {
                let id = "\(series)-ch\(c)"
                #expect(collector.pathIDs.contains(id), "no <path id=\"\(id)\">")
                #expect((collector.pathData[id]?.count ?? 0) > 10, "\(id) is empty")
            }
        }
        #expect(!collector.pathIDs.contains("spectrum-reference-ch2"))
        for label in ["frequency (Hz)", "level (dB FS)", "SNR (dB)", "time (s)", "reference", "1k", "10k"] {
            #expect(collector.texts.contains(label), "no text \"\(label)\"")
        }
    }
}

/// Collects element names, `<path>` ids and data, and text content.
final class ElementCollector: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var pathIDs: Set<String> = []
    var pathData: [String: String] = [:]
    var texts: Set<String> = []
    private var text = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(name)
        if name == "path", let id = attributes["id"] { pathIDs.insert(id); pathData[id] = attributes["d"] ?? "" }
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { texts.insert(text) }
        text = ""
    }
}
