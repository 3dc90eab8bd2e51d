#if canImport(Glibc)
    import Glibc
#endif

// The driver both fuzz targets share: `fuzzMain` from the target's `@main` runs libFuzzer (built with
// `-DFUZZING`) or replays the files named on the command line through the target's checks.
//
// SwiftPM links an executable's `main` to `<Module>_main` (its renamed entry point), so libFuzzer's own
// `main` cannot be used: ours calls libFuzzer's documented driver entry point instead.

/// The target's checks, set once by `fuzzMain` before any input runs.
nonisolated(unsafe) private var checkOne: ([UInt8]) -> Void = { _ in }

/// Runs `body` on every input: libFuzzer's inputs when built with `-DFUZZING`, else every file named on the
/// command line (`name` labels the summary line). A failing check traps.
public func fuzzMain(name: String, _ body: @escaping ([UInt8]) -> Void) -> Never {
    checkOne = body
    #if FUZZING
        exit(runLibFuzzer(fuzzerTestOneInput))
    #else
        exit(replay(body, name: name))
    #endif
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    checkOne(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

#if FUZZING
    /// libFuzzer: `int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *, size_t))`.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    func runLibFuzzer(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Int32 {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        return LLVMFuzzerRunDriver(&argc, &argv, callback)
    }
#endif

/// Replay mode: runs every file named on the command line through `body`; a failing check traps.
func replay(_ body: ([UInt8]) -> Void, name: String) -> Int32 {
    var count = 0
    for path in CommandLine.arguments.dropFirst() {
        guard let bytes = readFile(path) else {
            print("cannot read \(path)")
            return 1
        }
        body(bytes)
        count += 1
    }
    print("\(name): \(count) inputs replayed, no failure")
    return 0
}

/// A whole file's bytes, or nil when it cannot be read.
func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count <= 0 { break }
        bytes += chunk[0..<count]
    }
    return bytes
}
