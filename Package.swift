// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchyard", targets: ["Switchyard"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        .target(
            name: "SwitchyardCore",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(name: "Conversation"),
        .target(
            name: "FastChatAdapter",
            dependencies: ["Conversation", "SwitchyardCore"]
        ),
        .target(
            name: "Eval",
            dependencies: [
                "SwitchyardCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "Routing",
            dependencies: ["SwitchyardCore"]
        ),
        .target(
            name: "Leaderboard",
            dependencies: ["SwitchyardCore"]
        ),
        .target(
            name: "Controller",
            dependencies: [
                "SwitchyardCore",
                "Routing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "SwitchyardCore",
                "Routing",
                "FastChatAdapter",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "Backends",
            dependencies: [
                "SwitchyardCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "Worker",
            dependencies: [
                "SwitchyardCore",
                "Backends",
                "Conversation",
                "FastChatAdapter",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "Arena",
            dependencies: [
                "SwitchyardCore",
                "Gateway",
                "Leaderboard",
                "Routing",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .target(
            name: "Bench",
            dependencies: [
                "SwitchyardCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "Switchyard",
            dependencies: [
                "SwitchyardCore", "Controller", "Gateway", "Worker", "Backends", "Arena", "Leaderboard", "Bench", "Eval", "Conversation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(name: "SwitchyardTests", dependencies: ["Switchyard"]),
        .testTarget(
            name: "SwitchyardCoreTests",
            dependencies: [
                "SwitchyardCore",
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "ControllerTests",
            dependencies: ["Controller", "Routing", "SwitchyardCore", .product(name: "NIOEmbedded", package: "swift-nio")]
        ),
        .testTarget(name: "BenchTests", dependencies: ["Bench", "SwitchyardCore"]),
        .testTarget(name: "ArenaTests", dependencies: ["Arena", "Leaderboard", "SwitchyardCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "RoutingTests", dependencies: ["Routing", "SwitchyardCore"]),
        .testTarget(name: "LeaderboardTests", dependencies: ["Leaderboard", "SwitchyardCore"]),
        .testTarget(name: "WorkerTests", dependencies: ["Worker", "Backends", "SwitchyardCore"]),
        .testTarget(
            name: "BackendsTests",
            dependencies: ["Backends", "SwitchyardCore", .product(name: "Hummingbird", package: "hummingbird")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "ConversationTests", dependencies: ["Conversation"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FastChatAdapterTests", dependencies: ["FastChatAdapter", "Conversation", "SwitchyardCore"]),
        .testTarget(name: "EvalTests", dependencies: ["Eval", "Backends", "SwitchyardCore"]),
        .testTarget(
            name: "GatewayTests",
            dependencies: ["Gateway", "Routing", "SwitchyardCore", .product(name: "NIOEmbedded", package: "swift-nio")]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "SwitchyardCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets (Fuzz/), declared only when SWITCHYARD_FUZZ=1 so that `swift build` and
// `swift test` never see them: Scripts/fuzz builds them in .build-fuzz with -sanitize=fuzzer.
if Context.environment["SWITCHYARD_FUZZ"] == "1" {
    package.targets += [
        .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport"),
        .executableTarget(name: "FuzzJSON", dependencies: ["FuzzSupport", "SwitchyardCore"], path: "Fuzz/FuzzJSON"),
        .executableTarget(name: "FuzzSSE", dependencies: ["FuzzSupport", "SwitchyardCore", "Backends"], path: "Fuzz/FuzzSSE"),
        .executableTarget(name: "FuzzStream", dependencies: ["FuzzSupport", "SwitchyardCore", "Backends"], path: "Fuzz/FuzzStream"),
        .executableTarget(name: "FuzzFastChat", dependencies: ["FuzzSupport", "SwitchyardCore", "FastChatAdapter", "Conversation"], path: "Fuzz/FuzzFastChat"),
    ]
}
