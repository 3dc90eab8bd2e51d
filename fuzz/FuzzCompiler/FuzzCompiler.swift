import FuzzSupport
import SieveCompiler

// Fuzz target for the Sieve compiler (libFuzzer): every input is compiled with all extensions enabled,
// as a PUTSCRIPT and as a SETACTIVE check (includes resolved against a tiny fake storage).
//
// Built by `make fuzz` with `-sanitize=fuzzer,address -DFUZZING`; built normally it replays files:
// `FuzzCompiler FILE…`.
//
// Checks: no crash, no hang (libFuzzer's -timeout), no stack overflow on deep nesting; diagnostics are
// well-formed (a positive line within the script, an error verdict exactly when an error is reported);
// compiling is deterministic.

let compiler: SieveCompiler = {
    var options = CompileOptions()
    options.extensions = .all
    options.maxErrors = 10
    return SieveCompiler(options: options)
}()

func fuzzOne(_ input: [UInt8]) {
    let result = compiler.compile(input, includeExists: { $0.name.utf8.count % 2 == 0 })
    // Line 0 means "no position"; any line break (LF or a lone CR) may count.
    let lines = input.reduce(1) { $1 == 0x0A || $1 == 0x0D ? $0 + 1 : $0 }
    for diagnostic in result.diagnostics {
        if diagnostic.line < 0 || diagnostic.line > lines {
            fatalError("diagnostic line \(diagnostic.line) outside 0...\(lines): \(diagnostic)")
        }
    }
    if result.isValid != result.errors.isEmpty { fatalError("verdict disagrees with the errors") }
    let again = compiler.compile(input, includeExists: { $0.name.utf8.count % 2 == 0 })
    if again.diagnostics.count != result.diagnostics.count || again.isValid != result.isValid {
        fatalError("compiling twice gave different results")
    }
    _ = compiler.checkForActivation(
        input, named: "fuzz",
        load: { name in
            name == "fuzz" ? input : (name.utf8.count % 2 == 0 ? Array("keep;".utf8) : nil)
        })
}

@main
enum Main {
    static func main() {
        fuzzMain(name: "FuzzCompiler", fuzzOne)
    }
}
