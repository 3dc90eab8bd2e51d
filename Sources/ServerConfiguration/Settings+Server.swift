import Config
import Posix
import SieveCompiler
import SieveStorage
import TLS

// What the typed settings mean for the server's parts. Both executables (the server and the admin tool) use
// these, so that `managesievectl` checks, stores and activates scripts with exactly the server's rules.
// Config stays pure; this target is where it meets the compiler, the store and TLS.

extension Settings {
    /// No script is ever larger than this, whatever `sieve_max_script_size` says (0 there means this): the
    /// largest script file the store reads.
    public static let hardScriptSizeLimit = FileScriptStore.maxScriptFileSize

    /// `sieve_max_script_size`, with 0 ("unlimited") and larger values capped at `hardScriptSizeLimit`.
    public var effectiveMaxScriptSize: Int {
        maxScriptSize == 0
            ? Self.hardScriptSizeLimit : Int(min(maxScriptSize, UInt64(Self.hardScriptSizeLimit)))
    }

    /// The configured quotas (0 = unlimited), before per-user overrides from the passwd-file.
    public var globalQuota: QuotaLimits {
        QuotaLimits(
            maxScriptSize: UInt64(effectiveMaxScriptSize),
            maxScripts: quotaMaxScripts == 0 ? nil : quotaMaxScripts,
            maxStorage: quotaMaxStorage == 0 ? nil : quotaMaxStorage)
    }

    /// How much version history each user's storage keeps.
    public var historyLimits: HistoryLimits {
        HistoryLimits(maxVersions: historyMaxVersions, maxTotalSize: historyMaxSize)
    }

    /// How uploads are compiled: `sieve_extensions`, `managesieve_max_compile_errors`, `sieve_max_redirects`,
    /// the script size limit, and POSIX regex checking for `:regex`.
    public func compileOptions(maxScriptSize: Int? = nil) throws(ExtensionSetError) -> CompileOptions {
        var options = CompileOptions()
        if let spec = sieveExtensions { options.extensions = try ExtensionSet(parsing: spec) }
        options.maxErrors = maxCompileErrors
        options.maxRedirects = maxRedirects
        options.limits.maxScriptSize = maxScriptSize ?? effectiveMaxScriptSize
        options.regexChecker = { pattern, caseInsensitive in
            RegexCheck.check(pattern, caseInsensitive: caseInsensitive)
        }
        return options
    }

    /// The TLS settings when `ssl` is on and both `ssl_cert` and `ssl_key` are set; nil otherwise.
    public var tlsSettings: TLSSettings? {
        // Each optional is read on its own (`??`, `if let`): binding two of another module's stored optionals in
        // one condition, or passing one on as a whole, made the compiler copy it through the runtime's type
        // metadata, whose first use costs a connection with TLS configured more than its greeting's other work.
        // The parser never stores an empty path, so "" means unset.
        let cert = sslCert ?? ""
        let key = sslKey ?? ""
        guard ssl != .no, !cert.isEmpty, !key.isEmpty else { return nil }
        var tls = TLSSettings(
            certificatePath: cert, keyPath: key, minProtocol: sslMinProtocol,
            preferServerCiphers: sslPreferServerCiphers, verifyClientCertificate: sslVerifyClientCert,
            certUsernameField: sslCertUsernameField)
        if let ca = sslCA { tls.caPath = ca }
        if let ciphers = sslCipherList { tls.cipherList = ciphers }
        return tls
    }
}
