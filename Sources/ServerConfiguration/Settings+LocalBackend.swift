import Auth
import Config
import ManageSieveServer
import SieveStorage

// Who may have a local session and where their scripts live, from the settings: the server builds its
// `LocalBackend` from these, and `managesievectl` opens users' storage with the same values.

extension Settings {
    /// `first_valid_uid`…, `managesieve_max_memory`/`_cpu`, `sieve_storage`, `sieve`, `sieve_lock_timeout`, the history limits.
    public var localBackendPolicy: LocalBackend.Policy {
        var policy = LocalBackend.Policy()
        policy.firstValidUID = firstValidUID
        policy.lastValidUID = lastValidUID
        (policy.firstValidGID, policy.lastValidGID) = (firstValidGID, lastValidGID)
        (policy.maxMemoryBytes, policy.maxCPUSeconds) = (maxMemory, UInt64(maxCPUMilliseconds + 999) / 1000)
        policy.storageTemplate = sieveStorage
        policy.activeLinkTemplate = sieve
        policy.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        policy.history = historyLimits
        return policy
    }

    /// One user's quota and script size limit: the configuration's, overridden by the entry's extra fields.
    public func userLimits(for entry: PasswdEntry) -> (quota: QuotaLimits, maxScriptSize: Int) {
        UserLimits.resolve(
            entry, global: globalQuota, hardLimit: Self.hardScriptSizeLimit, parseSize: ConfigParser.parseSize)
    }

    /// `~`, `%u`, `%n`, `%d`, `%h` in a path template, as the server expands them.
    public static let expandPath: LocalBackend.PathExpander = { template, user, home in
        PathExpansion.expand(template, user: user, home: home)
    }
}
