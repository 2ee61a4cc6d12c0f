// swift-tools-version:6.0
// An empty Swift libFuzzer target: the throughput baseline for scripts/bench-throughput.
import PackageDescription
let package = Package(
    name: "EmptyFuzz",
    targets: [.executableTarget(name: "EmptyFuzz", swiftSettings: [.swiftLanguageMode(.v5)])]
)
