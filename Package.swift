// swift-tools-version:6.0
import PackageDescription

// Module layout and dependency direction: see ARCHITECTURE.md.

// Release builds of every target get type metadata from the accessors the compiler emits instead of
// by mangled name: a mangled name is demangled at run time and its generic requirements checked by conformance
// lookups, and the first lookup scans every conformance record in the binary (`managesievectl test`: 0.6 M
// instructions, a tenth of a run). Every target, because the linker keeps one copy of each generic
// specialization the modules share, whichever module's it is.
let directMetadataAccess: [SwiftSetting] = [
    .unsafeFlags(
        ["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release))
]
// Pure targets (SieveCompiler, ManageSieveProtocol, Config, JOSE, SieveMessage, SieveInterpreter) import neither Foundation nor Glibc.
let package = Package(
    name: "managesieved",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "managesieved", targets: ["managesieved"]),
        .executable(name: "managesievectl", targets: ["managesievectl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // System C libraries.
        .systemLibrary(name: "CCrypt", path: "Sources/CCrypt"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        // libargon2 (Debian's libargon2-dev): the ARGON2I/ARGON2ID password schemes.
        .systemLibrary(name: "CArgon2", path: "Sources/CArgon2"),
        // glibc calls the Glibc module hides (setresuid & co., renameat2), with their C prototypes.
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),

        // Pure targets.
        .target(name: "SieveCompiler"),
        .target(name: "ManageSieveProtocol"),
        .target(name: "Config"),
        // JSON, base64url, JWS compact form, JWK sets and JWT claim checks for OAuth bearer tokens.
        .target(name: "JOSE"),
        // RFC 5322/2045/2047 messages for the Sieve interpreter (charset conversion supplied by the caller).
        .target(name: "SieveMessage"),
        // Executes compiled scripts against messages (a dry run: the result lists the actions).
        .target(
            name: "SieveInterpreter", dependencies: ["SieveCompiler", "SieveMessage"]),

        // The operating system.
        .target(name: "Posix", dependencies: ["CLinux"]),
        // The Swift runtime's argv and backtracer-helper searches, left out of both executables' start-up.
        .target(name: "ProcessStart"),
        .target(name: "SieveStorage", dependencies: ["Posix"]),
        .target(
            name: "Auth", dependencies: ["Posix", "CCrypt", "COpenSSL", "CArgon2", "JOSE"]),
        .target(name: "TLS", dependencies: ["Posix", "COpenSSL"]),
        .target(name: "Transcript", dependencies: ["Posix"]),
        .target(
            name: "ManageSieveServer",
            dependencies: [
                "ManageSieveProtocol", "SieveCompiler", "SieveStorage", "Auth", "JOSE", "Transcript", "Posix",
            ]
        ),

        // Where the settings meet the compiler, the store and TLS (shared by both executables).
        .target(
            name: "ServerConfiguration",
            dependencies: [
                "Config", "Posix", "SieveCompiler", "SieveStorage", "TLS", "Auth", "JOSE", "ManageSieveProtocol",
                "ManageSieveServer",
            ]),

        // Executables.
        .executableTarget(
            name: "managesieved",
            dependencies: [
                "ManageSieveServer", "Config", "ServerConfiguration", "TLS", "Transcript", "Auth", "SieveStorage",
                "Posix", "ProcessStart",
            ],
            // Release only: lld places the code and data touched before the greeting together
            // (tools/link-order.txt, made by tools/gen-link-order; symbols it no longer finds are ignored).
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-use-ld=lld",
                        "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/tools/link-order.txt",
                        "-Xlinker", "--no-warn-symbol-ordering",
                    ], .when(configuration: .release))
            ]
        ),
        .executableTarget(
            name: "managesievectl",
            dependencies: [
                "ManageSieveServer", "Config", "ServerConfiguration", "TLS", "Transcript", "Auth", "SieveStorage",
                "Posix", "SieveCompiler", "JOSE", "SieveInterpreter", "SieveMessage", "ProcessStart",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Release only, as for the server: the code and data a dry run (`test`) touches sit together
            // (tools/ctl-link-order.txt, made by tools/gen-link-order --ctl).
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-use-ld=lld",
                        "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/tools/ctl-link-order.txt",
                        "-Xlinker", "--no-warn-symbol-ordering",
                    ], .when(configuration: .release))
            ]
        ),

        // Fuzz targets (libFuzzer entry points; plain builds replay files): `make fuzz`, see TESTING.md.
        .target(name: "FuzzSupport", path: "fuzz/FuzzSupport"),
        .executableTarget(
            name: "FuzzProtocol", dependencies: ["ManageSieveProtocol", "FuzzSupport"], path: "fuzz/FuzzProtocol"),
        .executableTarget(
            name: "FuzzCompiler", dependencies: ["SieveCompiler", "FuzzSupport"], path: "fuzz/FuzzCompiler"),
        .executableTarget(name: "FuzzSASL", dependencies: ["Auth", "FuzzSupport"], path: "fuzz/FuzzSASL"),
        .executableTarget(
            name: "FuzzProxyHeader", dependencies: ["ManageSieveProtocol", "FuzzSupport"], path: "fuzz/FuzzProxyHeader"),
        .executableTarget(name: "FuzzConfig", dependencies: ["Config", "FuzzSupport"], path: "fuzz/FuzzConfig"),
        .executableTarget(
            name: "FuzzPasswd", dependencies: ["Auth", "ManageSieveServer", "FuzzSupport"], path: "fuzz/FuzzPasswd"),
        .executableTarget(
            name: "FuzzTranscript", dependencies: ["Transcript", "FuzzSupport"], path: "fuzz/FuzzTranscript"),
        .executableTarget(
            name: "FuzzRegex", dependencies: ["Posix", "SieveCompiler", "FuzzSupport"], path: "fuzz/FuzzRegex"),
        .executableTarget(
            name: "FuzzMessage", dependencies: ["SieveMessage", "FuzzSupport"], path: "fuzz/FuzzMessage"),

        // Tests (Swift Testing).
        .testTarget(name: "SieveCompilerTests", dependencies: ["SieveCompiler", "CLinux"], exclude: ["Corpus"]),
        .testTarget(name: "ManageSieveProtocolTests", dependencies: ["ManageSieveProtocol"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(name: "JOSETests", dependencies: ["JOSE"]),
        .testTarget(name: "SieveMessageTests", dependencies: ["SieveMessage"]),
        .testTarget(
            name: "SieveInterpreterTests", dependencies: ["SieveInterpreter", "SieveCompiler", "SieveMessage"]),
        // Socket pairs shared by the Posix and TLS tests.
        .target(name: "TestSockets", path: "Tests/TestSockets"),
        .testTarget(name: "PosixTests", dependencies: ["Posix", "SieveCompiler", "TestSockets"]),
        .testTarget(name: "SieveStorageTests", dependencies: ["SieveStorage", "Posix"]),
        .testTarget(name: "AuthTests", dependencies: ["Auth", "Posix", "JOSE"]),
        .testTarget(name: "TLSTests", dependencies: ["TLS", "Posix", "COpenSSL", "TestSockets"]),
        .testTarget(name: "TranscriptTests", dependencies: ["Transcript", "Posix", "ManageSieveProtocol"]),
        // Runs the built managesievectl (the dependency makes SwiftPM build it first).
        .testTarget(name: "managesievectlTests", dependencies: ["managesievectl", "Auth"]),
        .testTarget(
            name: "ManageSieveServerTests",
            dependencies: [
                "ManageSieveServer", "ManageSieveProtocol", "SieveCompiler", "SieveStorage", "Auth", "Config",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// For every Swift target: the upcoming-language features (`any` spelled out for existentials, so their cost is
// visible where they are used; members visible only where their module is imported), and in release builds
// `directMetadataAccess` (above).
for target in package.targets where target.type != .system {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("MemberImportVisibility"),
        ] + directMetadataAccess
}
