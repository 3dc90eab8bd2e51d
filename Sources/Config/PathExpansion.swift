// Path templates as Dovecot writes them: `~/sieve`, `/var/sieve/%d/%n`.

/// Expands the per-user variables of a path template.
public enum PathExpansion {
    /// Whether `template` is absolute once expanded (`/…`, `~`, `~/…`, `%h…`): what the server needs of the
    /// storage and the active link, and what keeps an active link from reading as a location (`t:…`).
    public static func isAbsolute(_ template: String) -> Bool {
        template.hasPrefix("/") || template == "~" || template.hasPrefix("~/") || template.hasPrefix("%h")
    }

    /// `~` at the start (alone or before `/`) and `%h` → home, `%u` → user, `%n` → the user's local part
    /// (before the last `@`), `%d` → the domain (after it; empty if none), `%%` → `%`. Any other `%x` is kept.
    public static func expand(_ template: String, user: String, home: String) -> String {
        let local: Substring
        let domain: Substring
        if let at = user.lastIndex(of: "@") {
            local = user[..<at]
            domain = user[user.index(after: at)...]
        } else {
            local = Substring(user)
            domain = ""
        }
        var out = ""
        var rest = Substring(template)
        if rest == "~" || rest.hasPrefix("~/") {
            out = home
            rest = rest.dropFirst()
        }
        while let character = rest.first {
            rest = rest.dropFirst()
            guard character == "%", let variable = rest.first else {
                out.append(character)
                continue
            }
            switch variable {
            case "h": out += home
            case "u": out += user
            case "n": out += local
            case "d": out += domain
            case "%": out += "%"
            default:
                out.append("%")
                out.append(variable)
            }
            rest = rest.dropFirst()
        }
        return out
    }
}
