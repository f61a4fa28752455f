import Foundation

/// A number with `digits` decimals.
func fmt(_ x: Double, _ digits: Int = 2) -> String {
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x.isNaN { return "nan" }
    return String(format: "%.\(digits)f", x)
}
