// RFC 5228 §8.2 (grammar). Recursive descent whose depth is bounded by the nesting limits: past a
// limit the rest of the construct is skipped iteratively, so no input can exhaust the stack.

struct Parser {
    private var lexer: Lexer
    private var current: Token
    private let limits: CompileLimits
    private let sink: DiagnosticSink
    private var commandCount = 0
    private var tree = SyntaxTree()

    /// Unwinds to the enclosing command, which then recovers at `;`, `}` or a skipped block.
    private struct Failure: Error {}

    init(bytes: [UInt8], limits: CompileLimits, sink: DiagnosticSink) {
        self.limits = limits
        self.sink = sink
        lexer = Lexer(bytes: bytes, limits: limits, diagnostics: sink)
        // Room for a dense script's records up front (generated filter sets have a node per ~40 octets, a
        // string per ~32, an argument per ~23), so the arrays rarely grow and copy. Reserved pages that are
        // never written are never touched.
        tree.nodes.reserveCapacity(bytes.count / 30 + 16)
        tree.arguments.reserveCapacity(bytes.count / 16 + 16)
        tree.strings.reserveCapacity(bytes.count / 24 + 16)
        current = lexer.next()
    }

    private mutating func advance() { current = lexer.next() }

    private func describe(_ t: Token) -> String { DiagnosticKind.describe(t.kind, names: lexer.names) }

    private func error(_ kind: DiagnosticKind, at t: Token) {
        // An .invalid token was already reported by the lexer.
        if case .invalid = t.kind { return }
        sink.error(kind, line: t.line, column: t.column)
    }

    /// start = commands
    mutating func parseScript() -> SyntaxTree {
        var head: Int32 = -1
        var tail: Int32 = -1
        parsing: while !sink.isFull {
            parseCommands(head: &head, tail: &tail, depth: 0)
            switch current.kind {
            case .endOfFile:
                break parsing
            case .rightBrace:
                error(.unexpectedAtEnd(describe(current)), at: current)
                advance()
            default:
                // parseCommands only returns on '}' or end of file.
                break parsing
            }
        }
        // Handed over, not shared: the compiler may still change the tree (encoded characters) in place.
        var result = SyntaxTree()
        swap(&result, &tree)
        result.first = head
        result.names = lexer.names
        result.script = lexer.bytes
        result.pool = lexer.pool
        return result
    }

    /// Appends node `index` to the list whose first and last nodes are `head` and `tail`.
    private mutating func link(_ index: Int32, head: inout Int32, tail: inout Int32) {
        if tail < 0 { head = index } else { tree.nodes[Int(tail)].next = index }
        tail = index
    }

    /// commands = *command
    private mutating func parseCommands(head: inout Int32, tail: inout Int32, depth: Int) {
        while !sink.isFull {
            switch current.kind {
            case .endOfFile, .rightBrace:
                return
            case .identifier(let id):
                let start = current
                advance()
                do {
                    let index = try parseCommand(id, start: start, depth: depth)
                    link(index, head: &head, tail: &tail)
                    if depth == 0, id == KnownName.require { tree.topLevelRequires.append(index) }
                } catch {
                    recover()
                }
            default:
                if case .semicolon = current.kind {
                    error(.unexpectedToken(expected: .command, found: describe(current)), at: current)
                    advance()
                } else {
                    error(.unexpectedToken(expected: .command, found: describe(current)), at: current)
                    recover()
                }
            }
        }
    }

    /// A new node record named `id`, at the identifier token `start`; returns its index.
    @inline(__always)
    private mutating func appendNode(_ id: Int32, at start: Token) -> Int32 {
        let index = Int32(tree.nodes.count)
        tree.nodes.append(
            Node(nameID: id, line: start.line, column: start.column, argumentStart: Int32(tree.arguments.count)))
        return index
    }

    /// command = identifier arguments (";" / block)
    private mutating func parseCommand(_ id: Int32, start: Token, depth: Int) throws(Failure) -> Int32 {
        commandCount += 1
        if commandCount > limits.maxCommands {
            sink.error(.tooManyCommands(limit: limits.maxCommands), line: start.line, column: start.column)
            sink.markFull()
            throw Failure()
        }
        let index = appendNode(id, at: start)
        try parseArguments(of: index, owner: id, testDepth: 0)
        switch current.kind {
        case .semicolon:
            advance()
            return index
        case .leftBrace:
            let open = current
            advance()
            if depth + 1 >= limits.maxNestingDepth {
                sink.error(.nestingTooDeep(limit: limits.maxNestingDepth), line: open.line, column: open.column)
                skipBalancedBlock()
                throw Failure()
            }
            var head: Int32 = -1
            var tail: Int32 = -1
            parseCommands(head: &head, tail: &tail, depth: depth + 1)
            guard case .rightBrace = current.kind else {
                error(.unexpectedToken(expected: .blockEnd, found: describe(current)), at: current)
                throw Failure()
            }
            advance()
            tree.nodes[Int(index)].hasBlock = true
            tree.nodes[Int(index)].firstChild = head
            return index
        default:
            error(
                .unexpectedToken(
                    expected: .commandEnd, found: describe(current)),
                at: current)
            throw Failure()
        }
    }

    /// arguments = *argument [ test / test-list ]
    ///
    /// Appends the arguments of node `index` to the tree (before any of its tests' arguments, so they are
    /// contiguous), then parses its tests.
    private mutating func parseArguments(of index: Int32, owner: Int32, testDepth: Int) throws(Failure) {
        let argumentStart = tree.arguments.count
        while true {
            let t = current
            if tree.arguments.count - argumentStart >= limits.maxArguments, argumentStarts(t.kind) {
                sink.error(
                    .tooManyArguments(command: lexer.names.name(owner), limit: limits.maxArguments), line: t.line,
                    column: t.column)
                throw Failure()
            }
            switch t.kind {
            case .string(let span):
                advance()
                tree.arguments.append(
                    ArgumentRecord(
                        kind: .string, line: t.line, column: t.column, first: Int32(tree.strings.count), count: 1))
                tree.strings.append(StringRecord(span: span, line: t.line, column: t.column))
                if span.hasDollar { tree.nodes[Int(index)].hasDollar = true }
            case .number(let n):
                advance()
                tree.arguments.append(
                    ArgumentRecord(kind: .number, line: t.line, column: t.column, first: Int32(tree.numbers.count)))
                tree.numbers.append(n)
            case .tag(let id):
                advance()
                tree.arguments.append(ArgumentRecord(kind: .tag, line: t.line, column: t.column, first: id))
            case .leftBracket:
                advance()
                let first = Int32(tree.strings.count)
                let count = try parseStringList()
                tree.arguments.append(
                    ArgumentRecord(kind: .stringList, line: t.line, column: t.column, first: first, count: count))
                if tree.strings[Int(first)...].contains(where: \.span.hasDollar) {
                    tree.nodes[Int(index)].hasDollar = true
                }
            case .invalid:
                throw Failure()
            default:
                tree.nodes[Int(index)].argumentCount = Int32(tree.arguments.count - argumentStart)
                try parseTests(of: index, owner: owner, testDepth: testDepth)
                return
            }
        }
    }

    private mutating func parseTests(of index: Int32, owner: Int32, testDepth: Int) throws(Failure) {
        switch current.kind {
        case .identifier:
            let test = try parseTest(depth: testDepth + 1)
            tree.nodes[Int(index)].firstTest = test
            tree.nodes[Int(index)].testCount = 1
        case .leftParen:
            let open = current
            advance()
            if testDepth + 1 >= limits.maxTestNesting {
                sink.error(.testNestingTooDeep(limit: limits.maxTestNesting), line: open.line, column: open.column)
                throw Failure()
            }
            var head: Int32 = -1
            var tail: Int32 = -1
            var count: Int32 = 0
            while true {
                guard case .identifier = current.kind else {
                    error(
                        .unexpectedToken(
                            expected: count == 0 ? .testAfterParen : .testAfterComma, found: describe(current)),
                        at: current)
                    throw Failure()
                }
                link(try parseTest(depth: testDepth + 1), head: &head, tail: &tail)
                count += 1
                switch current.kind {
                case .comma:
                    advance()
                case .rightParen:
                    advance()
                    tree.nodes[Int(index)].firstTest = head
                    tree.nodes[Int(index)].testCount = count
                    tree.nodes[Int(index)].hasTestList = true
                    return
                default:
                    error(.unexpectedToken(expected: .commaOrParen, found: describe(current)), at: current)
                    throw Failure()
                }
            }
        default:
            return
        }
    }

    /// test = identifier arguments
    private mutating func parseTest(depth: Int) throws(Failure) -> Int32 {
        let start = current
        guard case .identifier(let id) = current.kind else { throw Failure() }
        if depth >= limits.maxTestNesting {
            sink.error(.testNestingTooDeep(limit: limits.maxTestNesting), line: start.line, column: start.column)
            throw Failure()
        }
        advance()
        let index = appendNode(id, at: start)
        try parseArguments(of: index, owner: id, testDepth: depth)
        return index
    }

    private func argumentStarts(_ kind: Token.Kind) -> Bool {
        switch kind {
        case .string, .number, .tag, .leftBracket: return true
        default: return false
        }
    }

    /// string-list = "[" string *("," string) "]" / string
    ///
    /// Appends the strings to the tree; returns how many there are.
    private mutating func parseStringList() throws(Failure) -> Int32 {
        var count: Int32 = 0
        while true {
            guard case .string(let span) = current.kind else {
                error(
                    .unexpectedToken(
                        expected: count == 0 ? .stringAfterBracket : .stringAfterComma, found: describe(current)),
                    at: current)
                throw Failure()
            }
            tree.strings.append(StringRecord(span: span, line: current.line, column: current.column))
            count += 1
            advance()
            switch current.kind {
            case .comma:
                advance()
            case .rightBracket:
                advance()
                return count
            default:
                error(.unexpectedToken(expected: .commaOrBracket, found: describe(current)), at: current)
                throw Failure()
            }
        }
    }

    /// Skips to the end of the broken command: past the next `;` or a whole `{…}` block, or up to a `}`
    /// that closes the enclosing block. Iterative, so hostile nesting costs no stack.
    private mutating func recover() {
        while !sink.isFull {
            switch current.kind {
            case .semicolon:
                advance()
                return
            case .leftBrace:
                advance()
                skipBalancedBlock()
                return
            case .rightBrace, .endOfFile:
                return
            default:
                advance()
            }
        }
    }

    /// Called after a `{`: skips to just past its matching `}` (or to end of file).
    private mutating func skipBalancedBlock() {
        var level = 1
        while level > 0 {
            switch current.kind {
            case .leftBrace: level += 1
            case .rightBrace: level -= 1
            case .endOfFile:
                error(.unexpectedToken(expected: .blockEnd, found: describe(current)), at: current)
                return
            default: break
            }
            advance()
        }
    }
}
