// Checks on string contents shared by all commands: variable references (RFC 5229 §3), encoded
// characters (RFC 5228 §2.4.2.4), and the ihave block rule (RFC 5463 §4).

extension Validator {
    /// Records a variable the script assigns; counts against the variable limit.
    func declareVariable(_ s: StringLiteral) {
        let name = s.text.lowercased()
        if name.utf8.count > options.limits.maxVariableNameLength {
            error(.variableNameTooLong(limit: options.limits.maxVariableNameLength), at: s)
            return
        }
        if declaredVariables.contains(name) { return }
        if declaredVariables.count >= options.limits.maxVariables {
            error(.tooManyVariables(limit: options.limits.maxVariables), at: s)
            return
        }
        declaredVariables.insert(name)
    }

    /// Whether a (possibly namespaced) variable name refers to a namespace the script may assign.
    func isNamespaceUsable(_ s: StringLiteral) -> Bool {
        let parts = s.text.lowercased().split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count > 1 else { return true }
        return parts.count == 2 && parts[0] == "global" && requires("include")
    }

    private var knownNamespaces: Set<String> {
        var result: Set<String> = []
        for ext in ExtensionRegistry.all where requires(ext.name) { result.formUnion(ext.namespaces) }
        return result
    }

    func checkStrings(_ node: Node) {
        let variables = requires("variables")
        let encoded = requires("encoded-character")
        guard variables || encoded else { return }
        for arg in node.arguments {
            for s in arg.strings ?? [] {
                if encoded, let bad = VariableSyntax.invalidUnicodeEncoding(s.bytes) {
                    error(.invalidUnicodeCharacter(bad), at: s)
                }
                guard variables, VariableSyntax.containsReference(s.bytes) else { continue }
                for ref in VariableSyntax.references(s.bytes) {
                    if ref.isNumeric {
                        if ref.name.count > 1 && Int(ref.name).map({ $0 > 9 }) ?? true {
                            warning(.matchVariableTooLarge(ref.name), at: s)
                        }
                    } else if !ref.namespace.isEmpty {
                        let ns = ref.namespace[0]
                        if !knownNamespaces.contains(ns) { warning(.unknownNamespace(ns), at: s) }
                    } else if ref.name.utf8.count > options.limits.maxVariableNameLength {
                        error(.variableNameTooLong(limit: options.limits.maxVariableNameLength), at: s)
                    }
                }
            }
        }
    }

    /// RFC 5463 §4: `if ihave "x" { … }` with an unknown "x" is not validated. Known capabilities
    /// named in an ihave test become usable.
    func skipsBlock(_ node: Node) -> Bool {
        guard node.name == "if" || node.name == "elsif", let test = node.tests.first, test.name == "ihave",
            requires("ihave"), let list = test.arguments.last?.strings
        else { return false }
        return list.contains { !enabled.contains($0.text) }
    }

    /// Loads every known capability an ihave test names (the test is true at run time then).
    func noteIhave(_ node: Node) {
        guard let list = node.arguments.last?.strings else { return }
        for s in list where enabled.contains(s.text) { addRequired(s.text) }
    }
}
