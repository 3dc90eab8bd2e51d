import ArgumentParser
import Auth
import Config
import JOSE
import Posix
import ServerConfiguration

/// `managesievectl oauth2`: OAuth bearer token tools.
struct OAuth2Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oauth2",
        abstract: "OAuth 2.0 bearer tokens (OAUTHBEARER, XOAUTH2).",
        subcommands: [CheckTokenCommand.self]
    )
}

/// `managesievectl oauth2 check-token`: runs a token through exactly the server's checks and says why it is
/// or is not accepted: which key verified it, which claim failed, whether the user is in the passwd-file.
struct CheckTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-token",
        abstract: "Say whether managesieved would accept a bearer token, and why.",
        discussion: """
            Reads the key set (oauth2_jwks_file) and the passwd-file as the server would, checks the token's \
            form, key, signature and claims in that order, and prints the verdict with its reason. The token \
            comes from the argument, from --file, or from standard input (no argument or "-"); a leading \
            "Bearer " is ignored. Exit status 0 when the token is accepted, 1 when it is refused or cannot be checked.
            """
    )

    @Option(name: [.customShort("c"), .customLong("config")], help: "The configuration file.")
    var configFile: String = "/etc/managesieved.conf"

    @Option(name: .customLong("file"), help: "Read the token from this file.")
    var tokenFile: String?

    @Option(name: .customLong("now"), help: "Check against this time (seconds since the epoch) instead of now.")
    var now: Double?

    @Argument(help: "The token (keep it off the command line on shared machines: use - or --file).")
    var token: String?

    func run() throws {
        let settings: Settings
        do {
            settings = try ConfigParser.parse(
                FileRead.readFile(path: configFile, maxSize: ConfigCommand.maxConfigSize), fileName: configFile)
        } catch {
            ConfigCommand.printError("oauth2: cannot read the configuration: \(error)")
            throw ExitCode.failure
        }
        let oauth: OAuthConfiguration
        do {
            guard let configured = try settings.oauthConfiguration() else {
                ConfigCommand.printError("oauth2: \(configFile) does not set oauth2_jwks_file: OAuth is off")
                throw ExitCode.failure
            }
            oauth = configured
        } catch let error as OAuthSettingsError {
            ConfigCommand.printError("oauth2: \(configFile): \(error)")
            throw ExitCode.failure
        }
        let keys: JWKSet
        do {
            keys = try JWKSet(parsing: FileRead.readFile(path: oauth.jwksPath, maxSize: JWKSet.maxSize))
        } catch {
            ConfigCommand.printError("oauth2: key set \(oauth.jwksPath): \(error)")
            throw ExitCode.failure
        }
        for (index, key) in keys.keys.enumerated() {
            let what = key.unusable.map { "unusable: \($0)" } ?? "\(key.keyType) \(key.curve ?? "")"
            print("key \(key.label(index: index)): \(what)")
        }

        guard var text = readToken() else {
            ConfigCommand.printError("oauth2: cannot read the token")
            throw ExitCode.failure
        }
        while let last = text.last, last == 0x0A || last == 0x0D || last == 0x20 || last == 0x09 {
            text.removeLast()
        }
        if text.count > 7, text.prefix(7).map({ $0 | 0x20 }).elementsEqual("bearer ".utf8) {
            text.removeFirst(7)
        }
        let clock = now ?? Double(Clock.wallClockMilliseconds()) / 1000
        describe(text, clock: clock)
        switch BearerTokenValidator.validate(token: text, keys: keys, policy: oauth.policy, now: clock) {
        case .failure(let rejection):
            print("refused: \(rejection)")
            throw ExitCode.failure
        case .success(let accepted):
            print(
                "accepted: user \(accepted.user) (claim \"\(oauth.policy.usernameClaim)\"), signed with "
                    + "\(accepted.algorithm.rawValue) by \(accepted.key)")
            let passwd: PasswdFile
            do {
                passwd = try PasswdFile.load(path: settings.passwdFile)
            } catch {
                print("refused: cannot read the passwd-file: \(error)")
                throw ExitCode.failure
            }
            guard let entry = passwd.lookup(accepted.user).entry else {
                print("refused: \(accepted.user) is not in the passwd-file \(settings.passwdFile)")
                throw ExitCode.failure
            }
            print("passwd-file: \(entry.user) uid \(entry.uid) gid \(entry.gid) home \(entry.home)")
        }
    }

    private func readToken() -> [UInt8]? {
        if let tokenFile { return try? FileRead.readFile(path: tokenFile, maxSize: 1 << 20) }
        if let token, token != "-" { return Array(token.utf8) }
        return CheckCommand.read("-", limit: 1 << 20)
    }

    /// The header and the claims as sent, before any verdict: what an admin compares with the settings.
    private func describe(_ token: [UInt8], clock: Double) {
        let parts = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else { return }
        for (name, part) in [("header", parts[0]), ("claims", parts[1])] {
            if let bytes = Base64URL.decode(part), let text = String(validating: bytes, as: UTF8.self),
                bytes.count <= 4096
            {
                print("\(name): \(text)")
            }
        }
        print("now: \(Int64(clock))")
    }
}

extension ConfigCommand {
    /// The OAuth and checkpassword settings: a combination the server refuses to start with is an error; a key
    /// set or program that would make every such login fail is a warning (the server still serves the others).
    static func authFindings(_ settings: Settings) -> [Finding] {
        var findings: [Finding] = []
        do {
            if let oauth = try settings.oauthConfiguration() {
                do {
                    let keys = try JWKSet(
                        parsing: FileRead.readFile(path: oauth.jwksPath, maxSize: JWKSet.maxSize))
                    if !keys.keys.contains(where: { $0.unusable == nil }) {
                        findings.append(
                            Finding(isError: false, message: "oauth2_jwks_file \(oauth.jwksPath): no usable key"))
                    }
                } catch {
                    findings.append(
                        Finding(
                            isError: false,
                            message: "oauth2_jwks_file \(oauth.jwksPath): \(error) (every token login would fail)"))
                }
            }
        } catch {
            findings.append(Finding(isError: true, message: error.description))
        }
        if let configuration = settings.checkpasswordConfiguration(), let program = configuration.program.first {
            if !program.hasPrefix("/") {
                findings.append(Finding(isError: false, message: "checkpassword: \(program) is not an absolute path"))
            } else if !FileRead.isExecutable(program) {
                findings.append(Finding(isError: false, message: "checkpassword: \(program) is not executable"))
            }
        }
        return findings
    }
}
