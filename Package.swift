// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "Arbor",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "arbor", targets: ["arbor"]),
    .library(name: "ArborTree", targets: ["ArborTree"]),
    .library(name: "ArborMetrics", targets: ["ArborMetrics"]),
    .library(name: "ArborTensor", targets: ["ArborTensor"]),
    .library(name: "ArborText", targets: ["ArborText"]),
    .library(name: "ArborClassify", targets: ["ArborClassify"]),
    .library(name: "ArborRL", targets: ["ArborRL"]),
    .library(name: "ArborExpand", targets: ["ArborExpand"]),
    .library(name: "ArborOrganize", targets: ["ArborOrganize"]),
    .library(name: "ArborContinual", targets: ["ArborContinual"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // MARK: System libraries (Debian -dev packages)
    .systemLibrary(
      name: "CLibXML2",
      pkgConfig: "libxml-2.0",
      providers: [.apt(["libxml2-dev"])]
    ),
    .systemLibrary(
      name: "COpenBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),

    // MARK: Foundation: taxonomy model and metrics
    .target(name: "ArborTree", dependencies: ["CLibXML2"]),
    .target(name: "ArborMetrics", dependencies: ["ArborTree"]),

    // MARK: Numeric core and text encoders
    .target(name: "ArborTensor", dependencies: ["COpenBLAS"]),
    .target(name: "ArborText", dependencies: ["ArborTensor", "COpenBLAS"]),

    // MARK: Task modules
    .target(
      name: "ArborClassify",
      dependencies: ["ArborTree", "ArborMetrics", "ArborTensor", "ArborText", "ArborRL", "COpenBLAS"]
    ),
    .target(name: "ArborRL", dependencies: ["ArborTree", "ArborTensor", "ArborMetrics"]),
    .target(name: "ArborExpand", dependencies: ["ArborTree", "ArborTensor", "ArborText", "ArborRL"]),
    .target(
      name: "ArborOrganize",
      dependencies: ["ArborTree", "ArborMetrics", "ArborTensor", "ArborText", "ArborRL", "COpenBLAS"]
    ),
    .target(
      name: "ArborContinual",
      dependencies: ["ArborTree", "ArborMetrics", "ArborTensor", "ArborText", "ArborClassify", "COpenBLAS"]
    ),

    // MARK: Command-line tool
    .executableTarget(
      name: "arbor",
      dependencies: [
        "ArborTree", "ArborMetrics", "ArborTensor", "ArborText", "ArborClassify", "ArborRL", "ArborExpand",
        "ArborOrganize", "ArborContinual",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // MARK: Benchmarks
    .executableTarget(
      name: "arbor-bench",
      dependencies: ["ArborTree", "ArborMetrics", "ArborTensor", "ArborText", "ArborRL"],
      path: "Benchmarks/ArborBench"
    ),

    // MARK: Tests
    .testTarget(
      name: "ArborTreeTests",
      dependencies: ["ArborTree"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(name: "ArborMetricsTests", dependencies: ["ArborMetrics"], resources: [.copy("Fixtures")]),
    .testTarget(name: "ArborTensorTests", dependencies: ["ArborTensor"], resources: [.copy("Fixtures")]),
    .testTarget(
      name: "ArborTextTests", dependencies: ["ArborText", "ArborTensor"], resources: [.copy("Fixtures")]),
    .testTarget(name: "ArborClassifyTests", dependencies: ["ArborClassify", "ArborRL", "ArborTensor"]),
    .testTarget(name: "ArborRLTests", dependencies: ["ArborRL"]),
    .testTarget(
      name: "ArborExpandTests", dependencies: ["ArborExpand", "ArborTree", "ArborText", "ArborRL"]),
    .testTarget(
      name: "ArborOrganizeTests",
      dependencies: ["ArborOrganize", "ArborTree", "ArborText", "ArborRL", "ArborTensor"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "ArborContinualTests",
      dependencies: ["ArborContinual", "ArborClassify", "ArborTree", "ArborText"]
    ),
    .testTarget(name: "ArborCLITests", dependencies: ["ArborTree", "ArborRL"]),
  ]
)
