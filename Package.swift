// swift-tools-version:6.0
import PackageDescription

// Targets only at hard seams (STYLE.md): the pure core (Foundation only), the Vapor app,
// and a thin executable.
let package = Package(
    name: "hotline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hotline", targets: ["hotline"]),
        .library(name: "HotlineCore", targets: ["HotlineCore"]),
        .library(name: "HotlineApp", targets: ["HotlineApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.115.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.12.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.8.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.10.0"),
        // The staff console's server-rendered pages (STYLE.md: Leaf templates, no JavaScript build).
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.0"),
        // Tests only: reads openapi.yaml so every test exchange is checked against it.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
    ],
    targets: [
        .target(
            name: "HotlineCore",
            resources: [.copy("Resources/holiday-cn")]
        ),
        .target(
            name: "HotlineApp",
            dependencies: [
                "HotlineCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/synthetic")]
        ),
        .executableTarget(
            name: "hotline",
            dependencies: ["HotlineApp"]
        ),
        .testTarget(
            name: "HotlineCoreTests",
            dependencies: ["HotlineCore"]
        ),
        .testTarget(
            name: "HotlineAppTests",
            dependencies: [
                "HotlineApp",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "Yams", package: "Yams"),
            ],
            // Read from the source tree (#filePath) by Open311Tests, not bundled.
            exclude: ["Open311Schemas"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
