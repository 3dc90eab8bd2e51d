// RFC 5228 §8.2 (grammar). Recursive descent whose depth is bounded by the nesting limits: past a
// limit the rest of the construct is skipped iteratively, so no input can exhaust the stack.

struct Parser {
    private var lexer: Lexer
    private var current: Token
    private let limits: CompileLimits
    private let sink: DiagnosticSink
    private var commandCount = 0

    /// Unwinds to the enclosing command, which then recovers at `;`, `}` or a skipped block.
    private struct Failure: Error {}

    init(bytes: [UInt8], limits: CompileLimits, sink: DiagnosticSink) {
        self.limits = limits
        self.sink = sink
        lexer = Lexer(bytes: bytes, limits: limits, diagnostics: sink)
        current = lexer.next()
    }

    private mutating func advance() { current = lexer.next() }

    private func describe(_ t: Token) -> String { DiagnosticKind.describe(t.kind) }

    private func error(_ kind: DiagnosticKind, at t: Token) {
        // An .invalid token was already reported by the lexer.
        if case .invalid = t.kind { return }
        sink.error(kind, line: t.line, column: t.column)
    }

    /// start = commands
    mutating func parseScript() -> [Node] {
        var commands: [Node] = []
        while !sink.isFull {
            parseCommands(into: &commands, depth: 0)
            switch current.kind {
            case .endOfFile:
                return commands
            case .rightBrace:
                error(.unexpectedAtEnd(describe(current)), at: current)
                advance()
            default:
                // parseCommands only returns on '}' or end of file.
                return commands
            }
        }
        return commands
    }

    /// commands = *command
    private mutating func parseCommands(into list: inout [Node], depth: Int) {
        while !sink.isFull {
            switch current.kind {
            case .endOfFile, .rightBrace:
                return
            case .identifier(let name):
                let start = current
                advance()
                do {
                    let node = try parseCommand(name: name, start: start, depth: depth)
                    if list.isEmpty { list.reserveCapacity(4) }
                    list.append(node)
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

    /// command = identifier arguments (";" / block)
    private mutating func parseCommand(name: String, start: Token, depth: Int) throws(Failure) -> Node {
        commandCount += 1
        if commandCount > limits.maxCommands {
            sink.error(.tooManyCommands(limit: limits.maxCommands), line: start.line, column: start.column)
            sink.markFull()
            throw Failure()
        }
        let (arguments, tests, hasList) = try parseArguments(owner: name, testDepth: 0)
        switch current.kind {
        case .semicolon:
            advance()
            return Node(
                name: name, arguments: arguments, tests: tests, hasTestList: hasList, block: nil,
                line: start.line, column: start.column)
        case .leftBrace:
            let open = current
            advance()
            if depth + 1 >= limits.maxNestingDepth {
                sink.error(.nestingTooDeep(limit: limits.maxNestingDepth), line: open.line, column: open.column)
                skipBalancedBlock()
                throw Failure()
            }
            var block: [Node] = []
            parseCommands(into: &block, depth: depth + 1)
            guard case .rightBrace = current.kind else {
                error(.unexpectedToken(expected: .blockEnd, found: describe(current)), at: current)
                throw Failure()
            }
            advance()
            return Node(
                name: name, arguments: arguments, tests: tests, hasTestList: hasList, block: block,
                line: start.line, column: start.column)
        default:
            error(
                .unexpectedToken(
                    expected: .commandEnd, found: describe(current)),
                at: current)
            throw Failure()
        }
    }

    /// arguments = *argument [ test / test-list ]
    private mutating func parseArguments(owner: String, testDepth: Int) throws(Failure) -> ([Argument], [Node], Bool) {
        var arguments: [Argument] = []
        while true {
            let t = current
            // One allocation for the usual handful of arguments instead of growing 1, 2, 4.
            if arguments.isEmpty, argumentStarts(t.kind) { arguments.reserveCapacity(4) }
            if arguments.count >= limits.maxArguments, argumentStarts(t.kind) {
                sink.error(
                    .tooManyArguments(command: owner, limit: limits.maxArguments), line: t.line, column: t.column)
                throw Failure()
            }
            switch t.kind {
            case .string(let bytes, let multi):
                advance()
                arguments.append(
                    Argument(
                        value: .string(StringLiteral(bytes: bytes, line: t.line, column: t.column, isMultiline: multi)),
                        line: t.line, column: t.column))
            case .number(let n):
                advance()
                arguments.append(Argument(value: .number(n), line: t.line, column: t.column))
            case .tag(let name):
                advance()
                arguments.append(Argument(value: .tag(name), line: t.line, column: t.column))
            case .leftBracket:
                advance()
                arguments.append(Argument(value: .stringList(try parseStringList()), line: t.line, column: t.column))
            case .invalid:
                throw Failure()
            default:
                return try parseTests(arguments, owner: owner, testDepth: testDepth)
            }
        }
    }

    private mutating func parseTests(
        _ arguments: [Argument], owner: String, testDepth: Int
    ) throws(Failure) -> (
        [Argument], [Node], Bool
    ) {
        switch current.kind {
        case .identifier:
            return (arguments, [try parseTest(depth: testDepth + 1)], false)
        case .leftParen:
            let open = current
            advance()
            if testDepth + 1 >= limits.maxTestNesting {
                sink.error(.testNestingTooDeep(limit: limits.maxTestNesting), line: open.line, column: open.column)
                throw Failure()
            }
            var tests: [Node] = []
            while true {
                guard case .identifier = current.kind else {
                    error(
                        .unexpectedToken(
                            expected: tests.isEmpty ? .testAfterParen : .testAfterComma, found: describe(current)),
                        at: current)
                    throw Failure()
                }
                tests.append(try parseTest(depth: testDepth + 1))
                switch current.kind {
                case .comma:
                    advance()
                case .rightParen:
                    advance()
                    return (arguments, tests, true)
                default:
                    error(.unexpectedToken(expected: .commaOrParen, found: describe(current)), at: current)
                    throw Failure()
                }
            }
        default:
            return (arguments, [], false)
        }
    }

    /// test = identifier arguments
    private mutating func parseTest(depth: Int) throws(Failure) -> Node {
        let start = current
        guard case .identifier(let name) = current.kind else { throw Failure() }
        if depth >= limits.maxTestNesting {
            sink.error(.testNestingTooDeep(limit: limits.maxTestNesting), line: start.line, column: start.column)
            throw Failure()
        }
        advance()
        let (arguments, tests, hasList) = try parseArguments(owner: name, testDepth: depth)
        return Node(
            name: name, arguments: arguments, tests: tests, hasTestList: hasList, block: nil,
            line: start.line, column: start.column)
    }

    private func argumentStarts(_ kind: Token.Kind) -> Bool {
        switch kind {
        case .string, .number, .tag, .leftBracket: return true
        default: return false
        }
    }

    /// string-list = "[" string *("," string) "]" / string
    private mutating func parseStringList() throws(Failure) -> [StringLiteral] {
        var list: [StringLiteral] = []
        while true {
            guard case .string(let bytes, let multi) = current.kind else {
                error(
                    .unexpectedToken(
                        expected: list.isEmpty ? .stringAfterBracket : .stringAfterComma, found: describe(current)),
                    at: current)
                throw Failure()
            }
            list.append(StringLiteral(bytes: bytes, line: current.line, column: current.column, isMultiline: multi))
            advance()
            switch current.kind {
            case .comma:
                advance()
            case .rightBracket:
                advance()
                return list
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
