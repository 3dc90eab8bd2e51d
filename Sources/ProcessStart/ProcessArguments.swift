// The command line without the Swift runtime's start-up work for it. Linked into both executables (managesieved
// pays it on every connection, `managesievectl test` on every dry run); the tests and fuzz targets keep the
// runtime's own versions.
//
// The standard library asks the runtime for argc/argv (`_swift_stdlib_getUnsafeArgvArgc`), whose Linux version
// is an object file with a constructor that, in every process, reads /proc/self/maps with sscanf to find the
// stack and searches it for argv. glibc hands argc and argv to every constructor in .init_array, so this file
// keeps them from its own constructor and defines the runtime's function itself: in the static release link
// the runtime's object is then never pulled in, and its constructor never runs. In a dynamically linked
// (debug) build the runtime's copy may be the one called; both answer the same.

/// What glibc passed to the constructors; set before `main`, never written again.
nonisolated(unsafe) private var capturedArgc: Int32 = 0
nonisolated(unsafe) private var capturedArgv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil

@section(".init_array") @used
private let captureArguments:
    @convention(c) (
        Int32, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    ) -> Void = { argc, argv, _ in
        capturedArgc = argc
        capturedArgv = argv
    }

/// The runtime's interface behind `CommandLine.argc`/`unsafeArgv`: the arguments glibc gave the constructors
/// (none, as an empty NULL-terminated vector, if a C library did not pass them).
@_cdecl("_swift_stdlib_getUnsafeArgvArgc")
func processArguments(_ count: UnsafeMutablePointer<Int32>) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
    if let argv = capturedArgv, capturedArgc > 0 {
        count.pointee = capturedArgc
        return argv
    }
    count.pointee = 0
    let empty = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: 1)
    empty.initialize(to: nil)
    return empty
}

/// The runtime's search for its helper programs, which only its backtracer uses: in every process that
/// backtracer's constructor looks for a `swift-backtrace` program next to the executable (a readlink of
/// /proc/self/exe and eight stats). None is installed with either executable (and the server's stderr is
/// /dev/null anyway), so the answer here is always "not found", which switches the backtracer off as it would
/// find for itself; defining it keeps the runtime's path-searching object out of the static link.
@_cdecl("swift_copyAuxiliaryExecutablePath")
func auxiliaryExecutablePath(_ name: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    nil
}
