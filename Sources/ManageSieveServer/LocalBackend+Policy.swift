import Auth
import SieveStorage

// The server's rules for a local user, in one place for both executables: the server applies them at login
// (`beginUserSession`), the admin tool before it touches a user's storage, so `managesievectl` reaches exactly
// the users and the storage the server would serve.

extension LocalBackend.Policy {
    /// Why `entry` may not have a local session here (uid or gid 0 or outside first_valid_uid…last_valid_uid,
    /// a group outside first_valid_gid…last_valid_gid); nil when it may.
    public func refusal(for entry: PasswdEntry) -> LoginRefusal? {
        if entry.uid == 0 || !isValidGroup(entry.gid) || entry.uid < firstValidUID
            || (lastValidUID != 0 && entry.uid > lastValidUID)
        {
            return .uidNotAllowed(uid: entry.uid, gid: entry.gid)
        }
        // setgroups would otherwise hand the session every listed group, root's included.
        if let group = entry.supplementaryGroups.first(where: { !isValidGroup($0) }) {
            return .groupNotAllowed(gid: group)
        }
        return nil
    }

    /// Group 0 never; otherwise within first_valid_gid…last_valid_gid (0: no upper bound).
    func isValidGroup(_ gid: UInt32) -> Bool {
        gid != 0 && gid >= firstValidGID && (lastValidGID == 0 || gid <= lastValidGID)
    }

    /// The user's script store: `sieve_storage` and `sieve` expanded for the entry, both absolute. Opening
    /// creates nothing; `readOnly` makes a store that never writes (the admin tool's read commands). Call it
    /// with the process already acting as the user (file access is checked from the first call on).
    public func openStore(
        for entry: PasswdEntry, quota: QuotaLimits, expand: LocalBackend.PathExpander, readOnly: Bool = false
    ) -> Result<FileScriptStore, LoginRefusal> {
        let storage = expand(storageTemplate, entry.user, entry.home)
        let link = expand(activeLinkTemplate, entry.user, entry.home)
        guard storage.hasPrefix("/"), link.hasPrefix("/") else {
            return .failure(
                .storageUnavailable("sieve_storage (\(storage)) and sieve (\(link)) must be absolute paths"))
        }
        do {
            return .success(
                try FileScriptStore(
                    storageDirectory: storage, activeLinkPath: link, quota: quota,
                    lockTimeoutMilliseconds: lockTimeoutMilliseconds, readOnly: readOnly,
                    history: history))
        } catch {
            return .failure(.storageUnavailable("\(error)"))
        }
    }

    /// Whether the entry's scripts live on another server (`proxy`, or a `host=` referral): not here.
    public static func isServedElsewhere(_ entry: PasswdEntry) -> Bool {
        entry.flags.contains("proxy")
            || (entry.extraFields["host"] != nil && entry.extraFields["referral"] == "yes"
                && !entry.flags.contains("proxy_maybe"))
    }
}

extension LoginRefusal {
    /// What the log line and the admin tool say.
    public var message: String {
        switch self {
        case .uidNotAllowed(let uid, let gid): "uid \(uid)/gid \(gid) not allowed to log in"
        case .groupNotAllowed(let gid): "supplementary group \(gid) not allowed to log in"
        case .notOwnUser(let uid): "uid \(uid) is not the server's own uid and the server is not root"
        case .differentUserAfterUnauthenticate(let previous): "only \(previous) may log in again"
        case .disabled(let reason): "account disabled\(reason.map { ": \($0)" } ?? "")"
        case .storageUnavailable(let why): "storage unavailable: \(why)"
        case .proxyMisconfigured(let why): "proxy fields unusable: \(why)"
        }
    }
}
