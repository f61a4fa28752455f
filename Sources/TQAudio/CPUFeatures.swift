import Foundation

/// What the processor can run, for code compiled for more than baseline x86-64.
public enum CPUFeatures {
    /// Whether the CPU has AVX2 and FMA (Haswell-class x86-64 and later). Read from the kernel's
    /// `/proc/cpuinfo` flags on Linux; assumed elsewhere (macOS on Intel has had both since 2013;
    /// other architectures never build the x86 code paths).
    public static let hasAVX2AndFMA: Bool = {
        #if os(Linux) && arch(x86_64)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return true }
        let flags = Set(line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }).map(String.init))
        return flags.contains("avx2") && flags.contains("fma")
        #else
        return true
        #endif
    }()
}
