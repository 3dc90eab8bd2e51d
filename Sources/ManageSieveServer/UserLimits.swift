import Auth
import SieveStorage

/// Per-user overrides of the quota settings from the passwd-file's extra fields
/// (`sieve_max_script_size=`, `sieve_quota_max_scripts=`, `sieve_quota_max_storage=`; Dovecot's names).
/// Used by the server and by `managesievectl`'s storage commands, so both enforce the same limits.
public enum UserLimits {
    /// `parseSize` reads a size in the configuration's syntax (the executables pass Config's parser).
    public static func resolve(
        _ entry: PasswdEntry, global: QuotaLimits, hardLimit: Int, parseSize: (String) -> UInt64?
    ) -> (quota: QuotaLimits, maxScriptSize: Int) {
        var quota = global
        if let text = entry.extraFields["sieve_max_script_size"], let size = parseSize(text) {
            quota.maxScriptSize = size == 0 ? UInt64(hardLimit) : min(size, UInt64(hardLimit))
        }
        if let text = entry.extraFields["sieve_quota_max_scripts"], let count = parseSize(text) {
            quota.maxScripts = count == 0 ? nil : count
        }
        if let text = entry.extraFields["sieve_quota_max_storage"], let size = parseSize(text) {
            quota.maxStorage = size == 0 ? nil : size
        }
        return (quota, Int(quota.maxScriptSize ?? UInt64(hardLimit)))
    }
}
