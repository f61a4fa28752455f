import Foundation
import TQAudio

/// The figure of `tqa compare --plot`: per channel, one row of three panels: the long-term
/// spectra of reference and error over log frequency, the SNR of each octave band, and the
/// segmental SNR over time. Series are `<path>` elements with ids `spectrum-reference-chN`,
/// `spectrum-error-chN`, `band-snr-chN`, `segmental-snr-chN` and `segmental-mean-chN`.
enum ComparePlot {
    static let referenceColor = "#1f5fbf", errorColor = "#d62728", snrColor = "#2a9d3a", meanColor = "#555555"

    static func svg(reference: String, test: String, result m: Comparison.Result) -> String {
        let panelW = 400.0, panelH = 250.0, left = 70.0, gap = 95.0, top = 70.0, rowH = panelH + 95
        let width = left + 3 * panelW + 2 * gap + 30
        let height = top + rowH * Double(m.profiles.count) + 10
        var svg = SVGPlot(width: width, height: height)
        let title = "tqa compare: \((test as NSString).lastPathComponent) against \((reference as NSString).lastPathComponent)"
        svg.text(title, x: left, y: 24, size: 16, weight: "bold", cssClass: "title")
        svg.text("\(m.frames) frames at \(m.sampleRate) Hz; overall SNR \(fmt(m.overall.snrDB)) dB, segmental SNR \(fmt(m.overall.segmentalSNRDB)) dB, "
                 + "LSD \(fmt(m.overall.lsdDB)) dB", x: left, y: 44, size: 12, cssClass: "subtitle")
        let nyquist = Double(m.sampleRate) / 2
        for (c, p) in m.profiles.enumerated() {
            let y = top + rowH * Double(c) + 20
            let ch = m.profiles.count > 1 ? " (channel \(c))" : ""
            let fLow = max(20, p.frequencies.first ?? 20), fHigh = max(fLow * 2, nyquist)

            // Long-term spectra.
            let levels = (p.referenceDB + p.errorDB).filter { $0.isFinite }
            let yTop = ((levels.max() ?? 0) / 10).rounded(.up) * 10 + 10
            let yFloor = max(yTop - 140, ((levels.min() ?? -100) / 10).rounded(.down) * 10)
            var a = SVGPlot.Panel(x: left, y: y, w: panelW, h: panelH, xRange: fLow...fHigh, yRange: yFloor...max(yTop, yFloor + 10), xScale: .log10)
            if a.yRange.lowerBound >= a.yRange.upperBound { a.yRange = -100...0 }
            svg.axes(a, title: "Long-term spectrum\(ch)", xLabel: "frequency (Hz)", yLabel: "level (dB FS)")
            svg.series(a, id: "spectrum-reference-ch\(c)", cssClass: "spectrum reference", points: Array(zip(p.frequencies, p.referenceDB)), color: referenceColor)
            svg.series(a, id: "spectrum-error-ch\(c)", cssClass: "spectrum error", points: Array(zip(p.frequencies, p.errorDB)), color: errorColor)
            svg.legend(a, [("reference", referenceColor, nil), ("error (ref − test)", errorColor, nil)],
                       avoid: Array(zip(p.frequencies, p.referenceDB)) + Array(zip(p.frequencies, p.errorDB)))
            if p.bands.isEmpty {
                svg.text("shorter than one \(MetricsAccumulator.lsdSize)-sample frame: no spectrum", x: a.x + a.w / 2, y: a.y + a.h / 2,
                         anchor: "middle", cssClass: "note")
            }

            // Octave-band SNR, as steps over each band with a dot at its centre.
            let snrs = p.bands.map(\.snrDB).filter { $0.isFinite }
            let bHigh = min(120, max(10, ((snrs.max() ?? 40) / 10).rounded(.up) * 10 + 10))
            let bLow = max(-40, min(0, (((snrs.min() ?? 0) - 5) / 10).rounded(.down) * 10))
            let b = SVGPlot.Panel(x: left + panelW + gap, y: y, w: panelW, h: panelH, xRange: fLow...fHigh, yRange: bLow...bHigh, xScale: .log10)
            svg.axes(b, title: "SNR per octave band\(ch)", xLabel: "frequency (Hz)", yLabel: "SNR (dB)")
            var steps: [(Double, Double)] = []
            for band in p.bands {
                steps.append((max(band.lowHz, fLow), band.snrDB)); steps.append((min(band.highHz, fHigh), band.snrDB))
                steps.append((.nan, .nan))
            }
            svg.series(b, id: "band-snr-ch\(c)", cssClass: "band-snr", points: steps, color: snrColor, width: 2)
            svg.markers(b, cssClass: "band-snr-point", points: p.bands.map { ($0.centerHz, $0.snrDB) }, color: snrColor)
            svg.legend(b, [("octave-band SNR", snrColor, nil)], avoid: steps)

            // Segmental SNR over time.
            let series = p.segmentSNRSeries(maxPoints: 800)
            let duration = max(p.segmentSeconds * Double(p.segmentSNRDB.count), p.segmentSeconds)
            let values = series.map(\.snrDB).filter { !$0.isNaN }
            // Segment SNRs are clamped to [-10, 100] dB: the range leaves room below and above,
            // so that a line at a clamp does not hide in the frame.
            let tHigh = min(110, max(10, ((values.max() ?? 40) / 10).rounded(.up) * 10 + 10))
            let tLow = max(-20, min(0, (((values.min() ?? 0) - 5) / 10).rounded(.down) * 10))
            let t = SVGPlot.Panel(x: left + 2 * (panelW + gap), y: y, w: panelW, h: panelH, xRange: 0...duration, yRange: tLow...tHigh, xScale: .linear)
            svg.axes(t, title: "Segmental SNR over time\(ch)", xLabel: "time (s)", yLabel: "SNR (dB)")
            svg.series(t, id: "segmental-snr-ch\(c)", cssClass: "segmental-snr",
                       points: series.map { ($0.seconds + p.segmentSeconds / 2, $0.snrDB) }, color: snrColor)
            let mean = m.channels[c].segmentalSNRDB
            svg.series(t, id: "segmental-mean-ch\(c)", cssClass: "segmental-mean", points: [(0, mean), (duration, mean)], color: meanColor, width: 1.5, dash: "6 4")
            svg.legend(t, [("20 ms segments", snrColor, nil), ("mean \(fmt(mean, 1)) dB", meanColor, "6 4")],
                       avoid: series.map { ($0.seconds + p.segmentSeconds / 2, $0.snrDB) } + [(0, mean), (duration / 2, mean), (duration, mean)])
        }
        return svg.document(title: title)
    }
}
