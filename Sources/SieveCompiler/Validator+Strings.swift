// Checks on string contents shared by all commands: variable references (RFC 5229 §3), encoded
// characters (RFC 5228 §2.4.2.4), and the ihave block rule (RFC 5463 §4).

extension Validator {
    /// Records a variable the script assigns; counts against the variable limit.
    func declareVariable(_ s: StringLiteral) { declareVariable(s, lowercasedName: s.text.lowercased()) }

    /// `declareVariable` given the string's (decoded) text already lower-cased.
    func declareVariable(_ s: StringLiteral, lowercasedName name: String) {
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

    /// Checks a variable name a command assigns to (set, setflag's variable, extracttext, execute
    /// :output): identifier syntax (as written, before encoded-character decoding), and a namespace the
    /// script may assign (`global.x` with include). Declares the variable when it is fine.
    @discardableResult
    func checkAssignable(_ s: StringLiteral) -> Bool {
        // The name assigned last time, if it was a plain one and is now declared: assigning it again changes
        // nothing (the variable sets only grow), so a script that sets one variable over and over checks
        // it once.
        if s.decoding == nil, !lastAssigned.isEmpty,
            s.withBytes({ $0.elementsEqual(lastAssigned) })
        {
            return true
        }
        let writtenBytes = s.written
        let written = String(decoding: writtenBytes, as: UTF8.self)
        guard VariableSyntax.isValidVariableName(writtenBytes, allowNamespace: true) else {
            error(.invalidVariableName(written), at: s)
            return false
        }
        // The usual name has no namespace: no split needed.
        if !writtenBytes.contains(0x2E) {
            let name = written.lowercased()
            noteLocalUse(name)
            // Without encoded-character decoding the text is what was written.
            if s.decoding == nil {
                declareVariable(s, lowercasedName: name)
                lastAssigned = declaredVariables.contains(name) ? writtenBytes : []
            } else {
                declareVariable(s)
            }
            return true
        }
        let parts = written.lowercased().split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 1 {
            let namespace = String(parts[0])
            if namespace == "global" && requires("include") {
                if parts.count > 2 {
                    error(.invalidVariableName(written), at: s)
                    return false
                }
            } else if namespace == "env" && requires("vnd.dovecot.environment") {
                error(.assignToEnvironment(written), at: s)
                return false
            } else {
                error(.unknownNamespace(namespace), at: s)
                return false
            }
        }
        if parts.count == 1 { noteLocalUse(String(parts[0])) }
        declareVariable(s)
        return true
    }

    /// Records a use of an unqualified variable: once used locally it cannot become global.
    func noteLocalUse(_ name: String) {
        if !globalVariables.contains(name) { localVariables.insert(name) }
    }

    /// `global "name"` (RFC 6609 §3.4): a variable used locally before cannot be declared global.
    func declareGlobal(_ s: StringLiteral) {
        let name = s.text.lowercased()
        if localVariables.contains(name) && !globalVariables.contains(name) {
            error(.globalAfterLocalUse(s.text), at: s)
            return
        }
        globalVariables.insert(name)
        declareVariable(s)
    }

    private var knownNamespaces: Set<String> {
        var result: Set<String> = []
        for ext in ExtensionRegistry.all where requires(ext.name) { result.formUnion(ext.namespaces) }
        return result
    }

    /// The variable and encoded-character checks of a node's strings. Most nodes have nothing to look at
    /// (no "$" in their strings, no string changed by decoding): that is decided here, inlined.
    @inline(__always)
    func checkStrings(_ node: Node) {
        guard hasVariables || hasEncodedCharacter, node.hasDollar || hasDecodings else { return }
        checkStringsOf(node)
    }

    private func checkStringsOf(_ node: Node) {
        let variables = hasVariables
        let encoded = hasEncodedCharacter
        let start = Int(node.argumentStart)
        for k in start..<(start + Int(node.argumentCount)) {
            let arg = storage.arguments[k]
            let first = Int(arg.first)
            let count: Int
            switch arg.kind {
            case .string: count = 1
            case .stringList: count = Int(arg.count)
            case .number, .tag: continue
            }
            // Most strings have neither a "$" nor an encoded character: only the others are looked at.
            for s in first..<(first + count)
            where (variables && storage.strings[s].span.hasDollar) || (encoded && storage.strings[s].decoding >= 0) {
                checkString(s, variables: variables, encoded: encoded)
            }
        }
    }

    /// Checks string `index` of the tree; copies it only when it has something to report or record.
    private func checkString(_ index: Int, variables: Bool, encoded: Bool) {
        let record = storage.strings[index]
        if encoded, record.decoding >= 0, let bad = storage.decodings[Int(record.decoding)].invalidUnicode {
            sink.error(.invalidUnicodeCharacter(bad), line: record.line, column: record.column)
        }
        guard variables, record.span.hasDollar, storage.withBytes(ofString: index, VariableSyntax.mayContainReference)
        else { return }
        let literal = storage.literal(index)
        literal.withBytes { s in
            VariableSyntax.forEachReference(s) { reference in
                if reference.isNumeric {
                    guard reference.last.count > 1 else { return true }
                    let name = String(decoding: UnsafeBufferPointer(rebasing: s[reference.last]), as: UTF8.self)
                    if Int(name).map({ $0 > 9 }) ?? true { warning(.matchVariableTooLarge(name), at: literal) }
                } else if reference.parts > 1 {
                    let ns = Validator.lowercasedName(UnsafeBufferPointer(rebasing: s[reference.first]))
                    if !knownNamespaces.contains(ns) { warning(.unknownNamespace(ns), at: literal) }
                } else {
                    noteLocalUse(Validator.lowercasedName(UnsafeBufferPointer(rebasing: s[reference.last])))
                }
                return true
            }
        }
    }

    /// An identifier's bytes lower-cased (ASCII), as a String.
    private static func lowercasedName(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if !bytes.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes.map(Lexer.lower), as: UTF8.self)
    }

    /// RFC 5463 §4: an ihave test is decided at compile time. Known capabilities it names become usable;
    /// with an unknown one it is constantly false, so its block is not validated.
    func noteIhave(_ node: Node) -> Bool? {
        guard let list = ArgumentList(node, in: storage).last?.strings, list.allSatisfy(isConstant) else { return nil }
        var all = true
        for s in list {
            // Pigeonhole never validates a block behind ihave "variables" or "encoded-character" (they
            // change how strings are read, which is fixed before validation): treat them as unknown here.
            if enabled.contains(s.text) && !["variables", "encoded-character"].contains(s.text) {
                addRequired(s.text)
            } else {
                all = false
            }
        }
        // Known capabilities make the test true at run time, yet Pigeonhole still validates the
        // other branches: only "false" is folded.
        return all ? nil : false
    }
}
