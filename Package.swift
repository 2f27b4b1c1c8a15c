// swift-tools-version:6.0
import PackageDescription

// Switchboard uses no SwiftPM packages: Foundation, Dispatch, XCTest and system C libraries only.

/// One adapter target per provider, under Providers/<Name>. Only the composition root depends on all of them.
let providers: [String] = ["WAHA", "Waxum", "Walytic", "TalkNTalk", "A1Base"]
/// Fuzz builds (Tests/Fuzz/run.sh) add the libFuzzer targets below and keep the shared Swift runtime.
let fuzzing = Context.environment["SWITCHBOARD_FUZZ"] != nil
/// The release `switchboard` binary carries the Swift runtime and Foundation inside it (the toolchain's static
/// libraries, as `swift build --static-swift-stdlib` does): only the pages it uses get loaded, which takes about
/// 7 MiB off the idle RSS (BENCHMARKS.md), and it runs where no Swift toolchain is installed. The executable is
/// compiled against the static modules too (they name the libraries static Foundation needs); our libraries,
/// debug builds and tests keep the shared ones. It links with the toolchain's lld: gold warns about `mktemp`
/// inside static Foundation, and release builds must be free of warnings.
let staticRuntime: (swift: [SwiftSetting], linker: [LinkerSetting]) =
    fuzzing
    ? ([], [])
    : ([.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))],
        [.unsafeFlags(["-static-stdlib", "-use-ld=lld"], .when(platforms: [.linux], configuration: .release))])

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"])
    ],
    dependencies: [],
    targets: [
        // MARK: - System libraries
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // MARK: - Values
        .target(name: "JSONCore"),
        .target(name: "Support", dependencies: ["JSONCore"]),
        .target(name: "GroupModel", dependencies: ["JSONCore", "Support"]),
        .target(name: "HTTPCore", dependencies: ["JSONCore"]),

        // MARK: - System wrappers
        .target(name: "Crypto", dependencies: ["COpenSSL"]),
        .target(name: "Storage", dependencies: ["CSQLite", "Support", "JSONCore"]),
        .target(name: "CurlTransport", dependencies: ["CCurl", "HTTPCore", "Support"]),
        .target(name: "HTTPServer", dependencies: ["CLinux", "HTTPCore", "Support", "JSONCore"]),
        .target(name: "WebSocket", dependencies: ["HTTPCore", "Crypto", "Support"]),
        .target(name: "ProviderKit", dependencies: ["GroupModel", "HTTPCore", "Crypto", "Support", "JSONCore"]),
        .target(name: "GatewayCore", dependencies: ["ProviderKit", "GroupModel", "Storage", "Crypto", "Support", "JSONCore"]),
        .target(
            name: "NativeEngine", dependencies: ["GatewayCore", "ProviderKit", "GroupModel", "Storage", "Support", "JSONCore"]),
        .target(name: "Webhooks", dependencies: ["GatewayCore", "GroupModel", "HTTPCore", "Crypto", "Storage", "Support", "JSONCore"]),
        .target(name: "GatewayAPI", dependencies: ["GatewayCore", "Webhooks", "Crypto", "HTTPServer", "WebSocket", "ProviderKit", "GroupModel", "HTTPCore", "Storage", "Support", "JSONCore"]),

        // MARK: - Contract suite
        .target(name: "ContractKit", dependencies: ["ProviderKit", "GroupModel", "HTTPCore", "Support", "JSONCore"], path: "Contract/Runner"),

        // MARK: - Composition root and executable
        .target(
            name: "Switchboard",
            dependencies: [
                "GatewayAPI", "GatewayCore", "Webhooks", "NativeEngine", "ContractKit", "CurlTransport", "HTTPServer", "ProviderKit", "GroupModel", "HTTPCore", "Storage", "Support",
                "JSONCore",
            ]
                + providers.map { .target(name: "\($0)Provider") }),
        .executableTarget(
            name: "switchboard", dependencies: ["Switchboard"], swiftSettings: staticRuntime.swift, linkerSettings: staticRuntime.linker),
    ] + providers.map { name in
        .target(
            name: "\(name)Provider", dependencies: ["ProviderKit", "GroupModel", "HTTPCore", "Crypto", "Support", "JSONCore"], path: "Providers/\(name)",
            exclude: ["README.md"])
    } + [

        // MARK: - Tests
        .target(
            name: "TestSupport", dependencies: ["Switchboard", "GatewayAPI", "GatewayCore", "HTTPCore", "Support", "JSONCore", "Storage"],
            path: "Tests/TestSupport"),
        .testTarget(name: "JSONCoreTests", dependencies: ["JSONCore"]),
        .testTarget(name: "SupportTests", dependencies: ["Support", "JSONCore"]),
        .testTarget(name: "GroupModelTests", dependencies: ["GroupModel", "JSONCore"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"]),
        .testTarget(name: "WebhooksTests", dependencies: ["Webhooks", "GatewayCore", "Storage", "GroupModel", "JSONCore", "Support", "TestSupport"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Support", "TestSupport"]),
        .testTarget(name: "CurlTransportTests", dependencies: ["CurlTransport", "HTTPServer", "HTTPCore", "Support", "JSONCore", "TestSupport"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "HTTPCore", "Support", "JSONCore", "TestSupport"]),
        .testTarget(name: "WebSocketTests", dependencies: ["WebSocket", "HTTPCore", "Crypto", "Support"]),
        .testTarget(
            name: "NativeEngineTests",
            dependencies: ["TestSupport", "Switchboard", "NativeEngine", "GatewayCore", "GroupModel", "Support", "JSONCore", "Storage"]),
        .testTarget(
            name: "ContractTests", dependencies: ["ContractKit", "Switchboard", "ProviderKit", "GroupModel", "HTTPCore", "JSONCore", "Support", "TestSupport"]
                + providers.map { .target(name: "\($0)Provider") }),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "TestSupport", "Switchboard", "GatewayAPI", "GatewayCore", "Webhooks", "Storage", "HTTPServer", "HTTPCore", "GroupModel", "ProviderKit",
                "Support", "JSONCore", "CurlTransport",
            ]),
    ]
)

// MARK: - Fuzzing

/// libFuzzer targets (docs/fuzzing.md), declared only when `SWITCHBOARD_FUZZ` is set (Tests/Fuzz/run.sh builds them with
/// `--sanitize fuzzer`): the usual build and `swift test` never see them. Their entry point is libFuzzer's `main`.
if fuzzing {
    let fuzzTarget: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]
    package.targets += [
        .target(name: "FuzzSupport", dependencies: ["ProviderKit", "GroupModel", "HTTPCore", "JSONCore", "Support"], path: "Tests/Fuzz/FuzzSupport"),
        .executableTarget(name: "FuzzHTTPParser", dependencies: ["HTTPServer", "HTTPCore"], path: "Tests/Fuzz/FuzzHTTPParser", swiftSettings: fuzzTarget),
        .executableTarget(name: "FuzzWebSocketFrame", dependencies: ["WebSocket"], path: "Tests/Fuzz/FuzzWebSocketFrame", swiftSettings: fuzzTarget),
        .executableTarget(name: "FuzzJSONRequest", dependencies: ["GroupModel", "JSONCore"], path: "Tests/Fuzz/FuzzJSONRequest", swiftSettings: fuzzTarget),
    ] + providers.map { name in
        .executableTarget(
            name: "Fuzz\(name)Webhook", dependencies: ["FuzzSupport", .target(name: "\(name)Provider")], path: "Tests/Fuzz/Fuzz\(name)Webhook",
            swiftSettings: fuzzTarget)
    }
}

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        // Lets the optimizer inline small value types (JSON, headers, timestamps) across our own modules.
        .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
    ]
}
