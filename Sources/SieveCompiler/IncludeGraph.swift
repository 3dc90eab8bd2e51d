/// What an active script pulls in through `include :personal`, derived from the scripts' text when asked:
/// every personal script reachable from the root, each with the first include that reaches it (which
/// script, which line). Global includes are the administrator's and are not followed.
///
/// The walk is breadth-first, visits every script once (so circular includes end), stops at the include
/// limits the activation check applies (nesting depth and number of scripts), and compiles each script
/// with the same options the caller gives, so the includes it finds are the ones delivery would follow.
public struct IncludeGraph: Sendable {
    /// How a script is reached: the script whose `include` names it, and that command's line.
    public struct Edge: Equatable, Sendable {
        public var includer: String
        public var line: Int
        /// `include :optional`: the including script runs without it.
        public var optional: Bool
    }

    /// The root's name.
    public let root: String
    /// Every reachable personal script except the root, with the edge that first reached it (a
    /// non-optional one when there is one).
    public private(set) var reachedBy: [String: Edge] = [:]
    /// Names a reachable script includes that do not exist (an `:optional` include, or a broken one).
    public private(set) var missing: [String: Edge] = [:]
    /// How many scripts were compiled to build the graph (the root included).
    public private(set) var compiledCount = 0

    /// Whether `name` is included, directly or not, by the root.
    public func includes(_ name: String) -> Bool { name != root && reachedBy[name] != nil }

    /// Whether the root stops compiling without `name`: a reachable script includes it without `:optional`.
    public func requires(_ name: String) -> Bool { includes(name) && reachedBy[name]?.optional == false }

    /// The chain of includes from the root down to `name`: the root first, `name` last.
    public func chain(to name: String) -> [String] {
        var result = [name]
        var current = name
        while let edge = reachedBy[current], result.count <= SieveCompiler.maxIncludes + 1 {
            result.append(edge.includer)
            if edge.includer == root { break }
            current = edge.includer
        }
        return result.reversed()
    }

    /// Builds the graph of `root` (whose text is `script`); `load` reads another script (nil: missing).
    public init(root: String, script: [UInt8], compiler: SieveCompiler, load: (String) -> [UInt8]?) {
        self.root = root
        var visited: Set<String> = [root]
        var level: [(name: String, content: [UInt8])] = [(root, script)]
        var depth = 0
        while !level.isEmpty, depth < SieveCompiler.maxIncludeDepth {
            var next: [(name: String, content: [UInt8])] = []
            for (name, content) in level {
                // Most scripts of a set are leaves: those are not compiled at all.
                guard IncludeGraph.mayInclude(content) else { continue }
                compiledCount += 1
                for reference in compiler.compile(content).includes where !reference.isGlobal {
                    let edge = Edge(includer: name, line: reference.line, optional: reference.optional)
                    if visited.contains(reference.name) {
                        // A required include upgrades an optional one, unless its includer is only reached
                        // through this very script (then it goes when the script goes).
                        if !edge.optional, reachedBy[reference.name]?.optional == true,
                            !chain(to: name).contains(reference.name)
                        {
                            reachedBy[reference.name] = edge
                        }
                        continue
                    }
                    guard visited.count <= SieveCompiler.maxIncludes else { continue }
                    visited.insert(reference.name)
                    guard let bytes = load(reference.name) else {
                        missing[reference.name] = edge
                        continue
                    }
                    reachedBy[reference.name] = edge
                    next.append((reference.name, bytes))
                }
            }
            level = next
            depth += 1
        }
    }

    /// Whether `script` can contain an `include` command: the identifier, in any case, appears in its bytes
    /// (an identifier has no escapes or encodings, so a script without it includes nothing).
    static func mayInclude(_ script: [UInt8]) -> Bool {
        let word: [UInt8] = Array("include".utf8)
        guard script.count >= word.count else { return false }
        var index = 0
        let last = script.count - word.count
        while index <= last {
            if script[index] | 0x20 == word[0] {
                var matched = 1
                while matched < word.count, script[index + matched] | 0x20 == word[matched] { matched += 1 }
                if matched == word.count { return true }
            }
            index += 1
        }
        return false
    }
}
