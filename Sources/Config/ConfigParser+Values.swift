// Value parsers for settings that come from elsewhere than the configuration file,
// e.g. per-user quota overrides in the passwd-file's extra fields.
extension ConfigParser {
    /// A size in the configuration syntax (`10M`, `512K`, `1024`); nil when invalid.
    public static func parseSize(_ text: String) -> UInt64? {
        try? Values.size(text)
    }
}
