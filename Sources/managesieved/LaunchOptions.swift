import Posix
import ServerConfiguration

/// The launcher line: `managesieved [-c FILE] [--implicit-tls]`, parsed by hand one C string at a time
/// (`CommandLine.arguments` builds the whole array through a generic map, start-up every connection pays).
struct LaunchOptions {
    /// The configuration file.
    var configPath = "/etc/managesieved.conf"
    /// `--implicit-tls`: the connection is TLS from its first byte (a port of its own, such as 5190): the
    /// handshake comes first, then the greeting inside TLS.
    var implicitTLS = false

    static let usage = "usage: managesieved [-c FILE] [--implicit-tls] [--version]\n"

    /// The options of this process; `--version`, `--help` and usage errors end it here. Nothing may be printed
    /// on fd 0/1/2 in serve mode, so usage errors go to syslog (and to stderr only when it is a terminal).
    static func fromCommandLine() -> LaunchOptions {
        var options = LaunchOptions()
        var index = 1
        while index < Int(CommandLine.argc), let pointer = CommandLine.unsafeArgv[index] {
            let argument = String(cString: pointer)
            index += 1
            switch argument {
            case "-c", "--config":
                guard index < Int(CommandLine.argc), let path = CommandLine.unsafeArgv[index] else {
                    ProcessControl.usageError("option \(argument) needs a file name\n" + usage)
                }
                options.configPath = String(cString: path)
                index += 1
            case "--implicit-tls":
                options.implicitTLS = true
            case "--checkpassword-reply":
                // The server as a checkpassword program's reply program (LocalBackend's checkpassword).
                Checkpassword.replyAndExit()
            case "--version", "-V":
                ProcessControl.printToTerminal(BuildInfo.versionText(program: "managesieved") + "\n")
                ProcessControl.exit(ExitCode.ok)
            case "--help", "-h":
                ProcessControl.printToTerminal(usage)
                ProcessControl.exit(ExitCode.ok)
            default:
                ProcessControl.usageError("unknown option \(argument)\n" + usage)
            }
        }
        return options
    }
}
