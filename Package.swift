// swift-tools-version:6.0
import CompilerPluginSupport
import PackageDescription

let package = Package(
    name: "DSPy",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DSPy", targets: ["DSPy"]),
        .executable(name: "dspy-repl", targets: ["dspy-repl"]),
        .executable(name: "dspy-demo", targets: ["dspy-demo"]),
        .executable(name: "dspy-bench", targets: ["dspy-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Already in the graph through async-http-client: TLS and gzip for the keep-alive pool.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        // Already in the graph through async-http-client; SHA-256 keys for the cache and cassettes.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // Python ints in the shell's interpreter.
        .package(url: "https://github.com/attaswift/BigInt.git", from: "6.0.1"),
        // The @Signature macro (typed signatures); used at build time only, not linked into programs.
        .package(url: "https://github.com/swiftlang/swift-syntax.git", from: "603.0.1"),
    ],
    targets: [
        .target(
            name: "DSPy",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                "CSQLite",
                // The calculate tool's parser and numbers (Python's, as in dspy-repl).
                "PythonInterpreter",
                // @Signature, @Input, @Output (typed signatures).
                "DSPyMacros",
            ]
        ),
        // The compiler plugin behind @Signature: generates Input/Output structs and the Signature value.
        .macro(
            name: "DSPyMacros",
            dependencies: [
                "DSPyMacroExpansion",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
            ]
        ),
        // The macros' expansion code, a library so that its tests need not depend on the macro
        // target (a test target that does makes SwiftPM build every target twice, once for the host).
        .target(
            name: "DSPyMacroExpansion",
            dependencies: [
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftSyntaxBuilder", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
            ]
        ),
        // The on-disk response cache and the call log.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(name: "LineEditor", dependencies: ["CLibEdit"]),
        // A sandboxed Python-subset interpreter; knows neither DSPy nor the terminal.
        .target(name: "PythonInterpreter", dependencies: [.product(name: "BigInt", package: "BigInt")]),
        .target(
            name: "DSPyShell",
            dependencies: [
                "DSPy", "PythonInterpreter",
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "dspy-repl",
            dependencies: [
                "DSPyShell", "LineEditor", "DSPy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "dspy-demo", dependencies: ["DSPy"]),
        .executableTarget(
            name: "dspy-bench",
            dependencies: [
                "DSPy", "LineEditor",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "DSPy",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TestSupport"
        ),
        // The DSPy program corpus's deterministic LM server, for Scripts/dspy-corpus.
        .executableTarget(name: "fixture-server", dependencies: ["TestSupport", "DSPy"], path: "Tests/FixtureServer"),
        // The fuzzer for dspy-repl and its HTTP client (Scripts/fuzz).
        .executableTarget(name: "dspy-fuzz", dependencies: ["TestSupport", "DSPy", "PythonInterpreter"], path: "Tests/Fuzzer"),
        .testTarget(
            name: "DSPyMacrosTests",
            dependencies: [
                "DSPyMacroExpansion",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacrosGenericTestSupport", package: "swift-syntax"),
            ]
        ),
        .testTarget(name: "LineEditorTests", dependencies: ["LineEditor"]),
        .testTarget(name: "PythonInterpreterTests", dependencies: ["PythonInterpreter"]),
        .testTarget(
            name: "DSPyShellTests",
            dependencies: [
                "DSPyShell", "DSPy", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        .testTarget(
            name: "DSPyTests",
            dependencies: [
                "DSPy", "TestSupport", "LineEditor", "PythonInterpreter",
                .product(name: "OrderedCollections", package: "swift-collections"),
                // The keep-alive pool's TLS server and proxy; NIO's HTTP/1 decoder as the reference
                // the pool's reply parser is checked against.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
