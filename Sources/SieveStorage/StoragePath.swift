// Lexical path arithmetic for the active link: no file-system access, so a link elsewhere cannot
// influence the result. Paths are absolute and normalised ("/a/b", never "/a/./b/" or "/a/../b").

enum StoragePath {
    /// The components of an absolute path after removing "", "." and resolving ".." lexically;
    /// `nil` for a relative path.
    static func components(_ path: String) -> [Substring]? {
        guard path.hasPrefix("/") else { return nil }
        var result: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..": if !result.isEmpty { result.removeLast() }
            default: result.append(component)
            }
        }
        return result
    }

    /// The normalised form of an absolute path; `nil` for a relative one.
    static func normalize(_ path: String) -> String? {
        guard let parts = components(path) else { return nil }
        return "/" + parts.joined(separator: "/")
    }

    /// The relative path from directory `from` to directory `to` ("" when they are the same),
    /// ending in "/" when not empty, so a file name can be appended. Both must be normalised.
    static func relativePrefix(from: String, to: String) -> String {
        let a = components(from) ?? []
        let b = components(to) ?? []
        var common = 0
        while common < a.count && common < b.count && a[common] == b[common] { common += 1 }
        let parts = Array(repeating: Substring(".."), count: a.count - common) + b[common...]
        return parts.isEmpty ? "" : parts.joined(separator: "/") + "/"
    }

    /// Splits a normalised path into its directory and last component ("/" has none).
    static func split(_ path: String) -> (directory: String, name: String)? {
        guard var parts = components(path), let last = parts.popLast() else { return nil }
        return ("/" + parts.joined(separator: "/"), String(last))
    }
}
