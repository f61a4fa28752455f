import Foundation

/// A small, self-contained SVG writer for line charts: panels with linear or log-10 x axes, tick
/// labels, grid, legend, and series drawn as `<path>` elements (a NaN breaks the line). It draws;
/// the numbers come from TQAudio.
struct SVGPlot {
    let width: Double
    let height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ x: Double) -> String { String(format: "%.1f", x) }

    mutating func text(_ s: String, x: Double, y: Double, size: Double = 12, anchor: String = "start", weight: String = "normal",
                       rotate: Bool = false, cssClass: String = "label") {
        let transform = rotate ? " transform=\"rotate(-90 \(Self.number(x)) \(Self.number(y)))\"" : ""
        body.append("<text class=\"\(cssClass)\" x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" "
                    + "text-anchor=\"\(anchor)\" font-weight=\"\(weight)\"\(transform)>\(Self.escape(s))</text>")
    }

    mutating func raw(_ element: String) { body.append(element) }

    /// A chart area at (`x`, `y`) of `w`×`h` pixels (the plotting area; labels go around it).
    struct Panel {
        enum Scale { case linear, log10 }
        var x: Double, y: Double, w: Double, h: Double
        var xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
        var xScale: Scale

        func px(_ v: Double) -> Double {
            switch xScale {
            case .linear: x + (v - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * w
            case .log10: x + (log10(v) - log10(xRange.lowerBound)) / (log10(xRange.upperBound) - log10(xRange.lowerBound)) * w
            }
        }

        /// Clamped to the panel, so that ±∞ draws at the edge.
        func py(_ v: Double) -> Double {
            let c = min(max(v, yRange.lowerBound), yRange.upperBound)
            return y + h - (c - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * h
        }
    }

    /// Draws the frame, grid, ticks, tick labels, axis titles and panel title of `p`.
    mutating func axes(_ p: Panel, title: String, xLabel: String, yLabel: String) {
        raw("<rect class=\"frame\" x=\"\(Self.number(p.x))\" y=\"\(Self.number(p.y))\" width=\"\(Self.number(p.w))\" height=\"\(Self.number(p.h))\" fill=\"white\" stroke=\"#444\" stroke-width=\"1\"/>")
        let xTicks: [(Double, String)]
        switch p.xScale {
        case .log10:
            xTicks = Self.logTicks(p.xRange)
            // Minor grid at 2…9 × each decade.
            var decade = pow(10, floor(log10(p.xRange.lowerBound)))
            var minor: [String] = []
            while decade < p.xRange.upperBound {
                for m in 2...9 {
                    let v = Double(m) * decade
                    if p.xRange.contains(v) { minor.append("M\(Self.number(p.px(v))) \(Self.number(p.y))V\(Self.number(p.y + p.h))") }
                }
                decade *= 10
            }
            raw("<path class=\"grid-minor\" d=\"\(minor.joined())\" stroke=\"#eee\" stroke-width=\"1\" fill=\"none\"/>")
        case .linear:
            xTicks = Self.linearTicks(p.xRange).map { ($0, Self.tickLabel($0)) }
        }
        var grid: [String] = []
        for (v, label) in xTicks {
            let x = p.px(v)
            grid.append("M\(Self.number(x)) \(Self.number(p.y))V\(Self.number(p.y + p.h))")
            text(label, x: x, y: p.y + p.h + 15, size: 11, anchor: "middle", cssClass: "tick")
        }
        for v in Self.linearTicks(p.yRange) {
            let y = p.py(v)
            grid.append("M\(Self.number(p.x)) \(Self.number(y))H\(Self.number(p.x + p.w))")
            text(Self.tickLabel(v), x: p.x - 5, y: y + 4, size: 11, anchor: "end", cssClass: "tick")
        }
        raw("<path class=\"grid\" d=\"\(grid.joined())\" stroke=\"#ccc\" stroke-width=\"1\" fill=\"none\"/>")
        text(title, x: p.x + p.w / 2, y: p.y - 10, size: 13, anchor: "middle", weight: "bold", cssClass: "title")
        text(xLabel, x: p.x + p.w / 2, y: p.y + p.h + 34, size: 12, anchor: "middle", cssClass: "axis-label")
        text(yLabel, x: p.x - 42, y: p.y + p.h / 2, size: 12, anchor: "middle", rotate: true, cssClass: "axis-label")
    }

    /// One series as a `<path>` clipped to `p`; NaN points break the line.
    mutating func series(_ p: Panel, id: String, cssClass: String, points: [(Double, Double)], color: String,
                         width: Double = 1.5, dash: String? = nil) {
        var d = "", pen = false
        for (x, y) in points {
            guard x.isFinite, !y.isNaN, p.xRange.contains(x) else { pen = false; continue }
            d += (pen ? "L" : "M") + "\(Self.number(p.px(x))) \(Self.number(p.py(y)))"
            pen = true
        }
        let dashAttr = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        raw("<path id=\"\(Self.escape(id))\" class=\"\(cssClass)\" d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(width)\"\(dashAttr) clip-path=\"url(#clip-\(Self.escape(id)))\"/>")
        raw("<clipPath id=\"clip-\(Self.escape(id))\"><rect x=\"\(Self.number(p.x))\" y=\"\(Self.number(p.y))\" width=\"\(Self.number(p.w))\" height=\"\(Self.number(p.h))\"/></clipPath>")
    }

    /// Dots at `points` (for sparse series such as octave bands).
    mutating func markers(_ p: Panel, cssClass: String, points: [(Double, Double)], color: String) {
        for (x, y) in points where x.isFinite && !y.isNaN && p.xRange.contains(x) {
            raw("<circle class=\"\(cssClass)\" cx=\"\(Self.number(p.px(x)))\" cy=\"\(Self.number(p.py(y)))\" r=\"3\" fill=\"\(color)\"/>")
        }
    }

    /// A legend box in the top-right corner of `p`, or the bottom-right one when fewer of the
    /// data points `avoid` fall there: one line sample and name per entry.
    mutating func legend(_ p: Panel, _ entries: [(name: String, color: String, dash: String?)], avoid: [(Double, Double)] = []) {
        let w = 12 + 7.0 * Double(entries.map(\.name.count).max() ?? 0) + 30, h = 8 + 16 * Double(entries.count)
        let x = p.x + p.w - w - 6, top = p.y + 6, bottom = p.y + p.h - h - 6
        func covered(_ y: Double) -> Int {
            avoid.filter { pt in
                guard pt.0.isFinite, !pt.1.isNaN, p.xRange.contains(pt.0) else { return false }
                let px = p.px(pt.0), py = p.py(pt.1)
                return px >= x - 4 && px <= x + w + 4 && py >= y - 4 && py <= y + h + 4
            }.count
        }
        let y = covered(bottom) < covered(top) ? bottom : top
        raw("<g class=\"legend\"><rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(w))\" height=\"\(Self.number(h))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999\"/>")
        for (i, e) in entries.enumerated() {
            let ly = y + 12 + 16 * Double(i)
            let dashAttr = e.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            raw("<path d=\"M\(Self.number(x + 6)) \(Self.number(ly))H\(Self.number(x + 30))\" stroke=\"\(e.color)\" stroke-width=\"2\"\(dashAttr)/>")
            text(e.name, x: x + 36, y: ly + 4, size: 11, cssClass: "legend-label")
        }
        raw("</g>")
    }

    func document(title: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(width))" height="\(Self.number(height))" viewBox="0 0 \(Self.number(width)) \(Self.number(height))" font-family="Helvetica, Arial, sans-serif">
        <title>\(Self.escape(title))</title>
        <rect width="100%" height="100%" fill="white"/>
        \(body.joined(separator: "\n"))
        </svg>

        """
    }

    // MARK: ticks

    /// 1-2-5 steps giving five to eight ticks over `r`.
    static func linearTicks(_ r: ClosedRange<Double>) -> [Double] {
        let span = r.upperBound - r.lowerBound
        guard span > 0, span.isFinite else { return [r.lowerBound] }
        let raw = span / 8, magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var v = (r.lowerBound / step).rounded(.up) * step, out: [Double] = []
        while v <= r.upperBound + step * 1e-9 { out.append(abs(v) < step * 1e-9 ? 0 : v); v += step }
        return out
    }

    /// 1-2-5 × 10^k ticks inside `r`, labelled 20, 50, 100, 1k, 2k, 10k….
    static func logTicks(_ r: ClosedRange<Double>) -> [(Double, String)] {
        var out: [(Double, String)] = []
        var decade = pow(10, floor(log10(r.lowerBound)))
        while decade <= r.upperBound {
            for m in [1.0, 2, 5] where r.contains(m * decade) {
                let v = m * decade
                out.append((v, v >= 1000 ? "\(tickLabel(v / 1000))k" : tickLabel(v)))
            }
            decade *= 10
        }
        return out
    }

    static func tickLabel(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%g", v)
    }
}
