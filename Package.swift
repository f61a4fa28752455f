// swift-tools-version:6.0
import PackageDescription
import Foundation

/// SQCodec's kernels are compiled for Haswell-class x86-64 (AVX2 + FMA) on x86-64 hosts: its matrix
/// products run 2.2-2.9x faster than with the baseline's SSE2 (`bash bench/gemm_flags.sh`; README,
/// "Build flags"). It is also optimized in debug builds, so that the tests that run full-size
/// random-weight networks stay quick under `swift test`.
/// `TQA_PORTABLE=1 swift build` builds it for baseline x86-64 instead; the CLI refuses to run
/// SQCodec on a CPU without AVX2 and FMA unless it was built that way.
let sqcodecSettings: [SwiftSetting] = {
    var flags: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]
    #if arch(x86_64)
    if ProcessInfo.processInfo.environment["TQA_PORTABLE"] == nil {
        flags.append(.unsafeFlags(["-target-cpu", "haswell"]))
        flags.append(.define("TQA_FMA"))
    }
    #endif
    return flags
}()

let package = Package(
    name: "tqa",
    products: [
        .library(name: "TQAudio", targets: ["TQAudio"]),
        .library(name: "TurboQuant", targets: ["TurboQuant"]),
        .library(name: "TQContainer", targets: ["TQContainer"]),
        .library(name: "SQCodec", targets: ["SQCodec"]),
        .library(name: "TQCodecs", targets: ["TQCodecs"]),
        .executable(name: "tqa", targets: ["tqa"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "TQAudio"),
        .target(name: "TQContainer", dependencies: ["TQAudio"]),
        .target(name: "TurboQuant", dependencies: ["TQAudio", "TQContainer"]),
        .target(name: "SQCodec", dependencies: ["TQAudio", "TQContainer"], swiftSettings: sqcodecSettings),
        .target(name: "TQCodecs", dependencies: ["TQContainer", "TurboQuant", "SQCodec"]),
        .executableTarget(
            name: "tqa",
            dependencies: [
                "TQAudio", "TQContainer", "TurboQuant", "SQCodec", "TQCodecs",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TQAudioTests", dependencies: ["TQAudio"]),
        .testTarget(name: "TQContainerTests", dependencies: ["TQContainer", "TQAudio"]),
        .testTarget(name: "TurboQuantTests", dependencies: ["TurboQuant", "TQContainer", "TQAudio"]),
        .testTarget(name: "SQCodecTests", dependencies: ["SQCodec", "TQAudio"], resources: [.copy("Fixtures")]),
        .testTarget(name: "tqaTests", dependencies: ["tqa", "TQAudio", "TQContainer", "TurboQuant", "SQCodec", "TQCodecs"]),
    ]
)
