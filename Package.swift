// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "locktrail",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "locktrail", targets: ["locktrail"]),
        .executable(name: "locktrail-wrap", targets: ["locktrail-wrap"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries, each behind a shim and imported by exactly one Swift wrapper.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // libcurl's headers only: it is loaded with dlopen at the first request (CurlLibrary.swift).
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // Process plumbing the C library has and Swift's overlay hides (spawn file actions).
        .target(name: "LocktrailSystem"),

        // Swift owners of the C libraries.
        .target(name: "LocktrailCrypto", dependencies: ["CCrypto"]),
        .target(
            name: "LocktrailPostgres",
            dependencies: ["CLibPQ", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "LocktrailHTTP", dependencies: ["CCurl"]),
        .target(
            name: "LocktrailAWS",
            dependencies: ["LocktrailCore", "LocktrailHTTP", "LocktrailCrypto", "LocktrailSystem", .product(name: "Logging", package: "swift-log")]
        ),

        // The pure core: lock records, state identity, events, canonical encoding. No I/O, no clock.
        .target(name: "LocktrailCore", dependencies: ["LocktrailCrypto"]),

        // Prometheus exposition: samples computed per scrape (the database's), and each process's own
        // registry (HTTP requests, collection cycles), through swift-prometheus.
        .target(
            name: "LocktrailMetrics",
            dependencies: ["LocktrailCore", .product(name: "Prometheus", package: "swift-prometheus")]
        ),

        // The PostgreSQL store: migrations, named queries, the event log, the private server.
        .target(
            name: "LocktrailStore",
            dependencies: [
                "LocktrailCore", "LocktrailPostgres", "LocktrailCrypto", "LocktrailSystem",
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedSQL"]
        ),

        // Sources: observe (AWS), plan (the core), commit (the store's source-state door), the
        // collector service and its composition from flags and YAML. No libpq here.
        .target(
            name: "LocktrailCollector",
            dependencies: [
                "LocktrailCore", "LocktrailStore", "LocktrailAWS", "LocktrailHTTP", "LocktrailMetrics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // The wrapper hooks: run terraform transparently and report what happened. It sits in front
        // of every terraform run, so it stays light: FoundationEssentials, no AWS, no PostgreSQL.
        .target(name: "LocktrailWrapper", dependencies: ["LocktrailCore", "LocktrailHTTP", "LocktrailSystem"]),

        // Notifications: the webhooks file, the notifier service of `serve`, delivery over libcurl.
        .target(
            name: "LocktrailNotifications",
            dependencies: [
                "LocktrailCore", "LocktrailStore", "LocktrailHTTP", "LocktrailCrypto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // The HTTP API: the query answers under /v1, tokens, health, the OpenAPI document.
        .target(
            name: "LocktrailServer",
            dependencies: [
                "LocktrailCore", "LocktrailStore", "LocktrailCrypto", "LocktrailMetrics",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("openapi.json")]
        ),

        .executableTarget(
            name: "locktrail",
            dependencies: [
                "LocktrailCore", "LocktrailStore", "LocktrailHTTP", "LocktrailAWS", "LocktrailCollector",
                "LocktrailWrapper", "LocktrailServer", "LocktrailNotifications", "LocktrailMetrics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // `locktrail wrap` in a binary of its own that starts in a few milliseconds: it links only
        // the wrapper (see Benchmarks/README.md, "Wrapper overhead").
        .executableTarget(name: "locktrail-wrap", dependencies: ["LocktrailWrapper", "LocktrailHTTP", "LocktrailCore"]),

        // Benchmarks: store append throughput (see Benchmarks/README.md).
        .executableTarget(
            name: "locktrail-bench",
            dependencies: ["LocktrailCore", "LocktrailStore", "LocktrailPostgres", "LocktrailCrypto"],
            path: "Benchmarks/locktrail-bench"
        ),

        // Build-time embedding of migrations/ and queries/ into the binary.
        .executableTarget(name: "EmbedSQLTool"),
        .plugin(name: "EmbedSQL", capability: .buildTool(), dependencies: ["EmbedSQLTool"]),

        // Real PostgreSQL, the AWS emulator and terraform for the integration tests.
        .target(
            name: "LocktrailTestSupport",
            dependencies: ["LocktrailStore", "LocktrailPostgres", "LocktrailCore", "LocktrailHTTP", "LocktrailAWS", "LocktrailSystem"],
            path: "Tests/LocktrailTestSupport"
        ),
        .testTarget(name: "LocktrailCoreTests", dependencies: ["LocktrailCore", "LocktrailCrypto"], exclude: ["TerraformOutput/Fixtures"]),
        .testTarget(
            name: "LocktrailStoreTests",
            dependencies: ["LocktrailStore", "LocktrailPostgres", "LocktrailCore", "LocktrailTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "LocktrailCollectorTests",
            dependencies: [
                "LocktrailCollector", "LocktrailStore", "LocktrailPostgres", "LocktrailCore", "LocktrailAWS",
                "LocktrailTestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "LocktrailWrapperTests",
            dependencies: ["LocktrailWrapper", "LocktrailCore", "LocktrailHTTP", "LocktrailAWS", "LocktrailTestSupport"]
        ),
        // LocktrailCore too: the push integration tests decode what the emulator sends with the core's rules.
        .testTarget(name: "LocktrailAWSTests", dependencies: ["LocktrailAWS", "LocktrailHTTP", "LocktrailCrypto", "LocktrailCore"]),
        .testTarget(
            name: "LocktrailServerTests",
            dependencies: [
                "LocktrailServer", "LocktrailStore", "LocktrailPostgres", "LocktrailCore", "LocktrailHTTP", "LocktrailAWS",
                "LocktrailCollector", "LocktrailTestSupport", "LocktrailWrapper", "LocktrailNotifications", "LocktrailCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Browser"]  // the Selenium script WebUIBrowserTests runs
        ),
    ]
)

// Benchmark data: a synthetic hold history through the real event log (scripts/bench-query).
package.targets.append(
    .executableTarget(
        name: "locktrail-query-bench",
        dependencies: ["LocktrailCore", "LocktrailStore", "LocktrailPostgres"],
        path: "Benchmarks/query-bench"
    ))

// Package-wide settings that catch mistakes early: an existential is spelled `any P`, a file
// uses only the members of modules it imports itself, and an import is internal unless the file
// says `package import`/`public import` because its API shows that module's types (the product
// targets; tests and benchmarks have no API of their own to guard).
for target in package.targets where target.type != .system && target.type != .plugin {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    let withoutAPI: Set = ["LocktrailTestSupport", "locktrail-bench", "locktrail-query-bench"]
    if target.type == .regular || target.type == .executable, !withoutAPI.contains(target.name) {
        settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    }
    target.swiftSettings = settings
}
