/// One user of the passwd-file (Dovecot's format: `user:password:uid:gid:gecos:home:shell:extra_fields`).
public struct PasswdEntry: Equatable, Sendable {
    /// The login name.
    public var user: String
    /// The stored password field as written: `{SHA512-CRYPT}$6$…`, a bare `$6$…`, `{PLAIN}…`.
    public var password: String
    public var uid: UInt32
    public var gid: UInt32
    public var gecos: String
    /// The home directory; "" when the line leaves it out.
    public var home: String
    public var shell: String
    /// `key=value` extra fields; a leading `userdb_` is removed from the key.
    public var extraFields: [String: String]
    /// Bare extra-field words such as `nologin`, `proxy`, `proxy_maybe`.
    public var flags: Set<String>

    public init(
        user: String, password: String, uid: UInt32, gid: UInt32, gecos: String = "", home: String = "",
        shell: String = "", extraFields: [String: String] = [:], flags: Set<String> = []
    ) {
        self.user = user
        self.password = password
        self.uid = uid
        self.gid = gid
        self.gecos = gecos
        self.home = home
        self.shell = shell
        self.extraFields = extraFields
        self.flags = flags
    }

    /// Numeric supplementary groups from `groups=1001,1002` (names cannot be resolved: the server has no NSS).
    /// Non-numeric entries are left out (the passwd-file parser already refuses such lines).
    public var supplementaryGroups: [UInt32] {
        guard let list = extraFields["groups"] else { return [] }
        return list.split(separator: ",").compactMap { UInt32($0) }
    }
}
