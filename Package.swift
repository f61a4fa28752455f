// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "tqa",
    products: [
        .library(name: "TQAudio", targets: ["TQAudio"]),
        .library(name: "TurboQuant", targets: ["TurboQuant"]),
        .library(name: "TQContainer", targets: ["TQContainer"]),
        .library(name: "SQCodec", targets: ["SQCodec"]),
        .executable(name: "tqa", targets: ["tqa"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "TQAudio"),
        .target(name: "TQContainer", dependencies: ["TQAudio"]),
        .target(name: "TurboQuant", dependencies: ["TQAudio", "TQContainer"]),
        .target(name: "SQCodec", dependencies: ["TQAudio", "TQContainer"]),
        .executableTarget(
            name: "tqa",
            dependencies: [
                "TQAudio", "TQContainer", "TurboQuant", "SQCodec",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TQAudioTests", dependencies: ["TQAudio"]),
        .testTarget(name: "TQContainerTests", dependencies: ["TQContainer", "TQAudio"]),
        .testTarget(name: "TurboQuantTests", dependencies: ["TurboQuant", "TQContainer", "TQAudio"]),
        .testTarget(name: "SQCodecTests", dependencies: ["SQCodec", "TQAudio"], resources: [.copy("Fixtures")]),
        .testTarget(name: "tqaTests", dependencies: ["tqa", "TQAudio", "TQContainer", "TurboQuant", "SQCodec"]),
    ]
)
