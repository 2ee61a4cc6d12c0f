// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "faultsync",
    products: [
        .executable(name: "faultsync", targets: ["faultsync"]),
        .executable(name: "FaultSyncFuzz", targets: ["FaultSyncFuzz"]),
        .executable(name: "FaultSyncTextFuzz", targets: ["FaultSyncTextFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The spec and everything on the hot path: model (Model/), total decoder and text form
        // (Schedules/), executor, oracles, verdicts and trace rendering (Checking/); the exhaustive
        // checker (Search/). No I/O, but for the checker's breadth-first parent-link file (an
        // unlinked temporary file, ParentLog.swift).
        .target(
            name: "FaultSync",
            dependencies: ["FaultSyncPrefetch"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // A C prefetch hint for the exhaustive checker's visited table (header-only).
        .target(name: "FaultSyncPrefetch"),
        // CLI: replay, trace, decode, encode, variants.
        .executableTarget(
            name: "faultsync",
            dependencies: ["FaultSync", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // libFuzzer shim. Built with -DFUZZING by scripts/build-fuzzer; without it, a standalone
        // main replays the files it is given (so plain `swift build` / `swift test` link).
        // The C declaration of libFuzzer's LLVMFuzzerMutate, for the custom mutator.
        .target(name: "FaultSyncLibFuzzer"),
        .executableTarget(
            name: "FaultSyncFuzz",
            dependencies: ["FaultSync", "FaultSyncLibFuzzer"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // Second fuzz target: the text-form parser (never traps; parsed schedules round-trip).
        .executableTarget(
            name: "FaultSyncTextFuzz",
            dependencies: ["FaultSync"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "FaultSyncTests",
            dependencies: ["FaultSync"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
