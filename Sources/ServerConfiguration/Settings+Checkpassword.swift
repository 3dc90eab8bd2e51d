import Auth
import Config
import Posix

extension Settings {
    /// How `checkpassword` runs, nil when unset. The reply program is this server's own binary
    /// (`managesieved --checkpassword-reply`), found through /proc/self/exe.
    public func checkpasswordConfiguration() -> CheckpasswordConfiguration? {
        guard let checkpassword else { return nil }
        let program = checkpassword.split(separator: " ").map(String.init)
        return CheckpasswordConfiguration(
            program: program, reply: [Checkpassword.executablePath(), "--checkpassword-reply"],
            forAllUsers: checkpasswordUsers == "all", timeoutMilliseconds: checkpasswordTimeoutMilliseconds)
    }
}
