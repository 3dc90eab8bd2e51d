import SieveCompiler
import SieveStorage

/// The active script and what it includes stay deliverable: a script the active script needs (through
/// `include :personal`, directly or not) is not deleted or renamed away, and a new version of a script the
/// active script includes is compiled together with the active script first, as SETACTIVE compiles it.
///
/// Everything is derived from the stored scripts when a command asks (one process per connection, and other
/// sessions change the storage meanwhile), within the include limits the activation check applies.
public struct IncludeIntegrity {
    let store: any ScriptStore
    /// The upload options: which includes a script has.
    let compiler: SieveCompiler
    /// The activation options: include problems are errors.
    let activationCompiler: SieveCompiler

    public init(store: any ScriptStore, compiler: SieveCompiler, activationCompiler: SieveCompiler) {
        self.store = store
        self.compiler = compiler
        self.activationCompiler = activationCompiler
    }

    /// Why a change is refused.
    public enum Refusal: Equatable, Sendable {
        /// `name` is needed by the active script `active` along `chain` (active first, `name` last); the
        /// last include is on `line` of the script before `name`.
        case required(name: String, active: String, chain: [String], line: Int)
        /// With the new version of `name`, the active script `active` would no longer compile.
        case breaksActive(name: String, active: String, errors: [Diagnostic])

        /// The response text (kept in Texts.swift).
        public var text: String {
            switch self {
            case .required(let name, let active, let chain, let line):
                Texts.includedByActive(name, active: active, chain: chain, line: line)
            case .breaksActive(let name, let active, let errors):
                Texts.includeBreaksActive(name, active: active, errors: errors.map(\.wireText))
            }
        }
    }

    /// The active script's name, text and include graph; nil without an active script.
    func activeGraph() throws(StorageError) -> (name: String, content: [UInt8], graph: IncludeGraph)? {
        guard let active = try store.activeScript() else { return nil }
        let content = try store.getScript(active)
        let store = self.store
        let graph = IncludeGraph(root: active, script: content, compiler: compiler) { try? store.getScript($0) }
        return (active, content, graph)
    }

    /// DELETESCRIPT `name`, or RENAMESCRIPT `name` to another name.
    public func checkRemoval(of name: String) throws(StorageError) -> Refusal? {
        guard let (active, _, graph) = try activeGraph(), graph.requires(name),
            let edge = graph.reachedBy[name]
        else { return nil }
        return .required(name: name, active: active, chain: graph.chain(to: name), line: edge.line)
    }

    /// RENAMESCRIPT `oldName` to `newName`: the old name must not be needed, and if the active script
    /// includes a missing script called `newName`, it must compile with the renamed script in its place.
    public func checkRename(_ oldName: String, to newName: String) throws(StorageError) -> Refusal? {
        if let refusal = try checkRemoval(of: oldName) { return refusal }
        guard let (active, content, graph) = try activeGraph(), graph.missing[newName] != nil else { return nil }
        let moved = try store.getScript(oldName)
        return combination(active: active, content: content, replacing: [newName: moved, oldName: nil], name: newName)
    }

    /// Whether the active script includes `name` (or a missing script of that name): a new version needs
    /// `checkReplacement`.
    public func concernsActive(_ name: String) throws(StorageError) -> Bool {
        guard let (active, _, graph) = try activeGraph(), name != active else { return false }
        return graph.includes(name) || graph.missing[name] != nil
    }

    /// PUTSCRIPT `name` with `content`: when the active script includes it (or includes a missing script
    /// of that name), the active script must still compile with it. Errors the active script already had
    /// with the stored version do not count, so a repair is never refused for a problem elsewhere.
    public func checkReplacement(of name: String, with content: [UInt8]) throws(StorageError) -> Refusal? {
        guard let (active, activeContent, graph) = try activeGraph(), name != active,
            graph.includes(name) || graph.missing[name] != nil
        else { return nil }
        return combination(active: active, content: activeContent, replacing: [name: content], name: name)
    }

    private func combination(
        active: String, content: [UInt8], replacing overrides: [String: [UInt8]?], name: String
    ) -> Refusal? {
        let store = self.store
        let after = activationCompiler.checkForActivation(content, named: active) { script in
            if let override = overrides[script] { return override }
            return try? store.getScript(script)
        }
        if after.isValid { return nil }
        let before = activationCompiler.checkForActivation(content, named: active) { try? store.getScript($0) }
        let known = Set(before.errors.map(\.wireText))
        let new = after.errors.filter { !known.contains($0.wireText) }
        return new.isEmpty ? nil : .breaksActive(name: name, active: active, errors: new)
    }
}
