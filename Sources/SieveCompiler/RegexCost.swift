/// What compiling a `:regex` key with glibc's regcomp costs, estimated from the pattern alone so that a
/// hostile key is refused before regcomp runs.
///
/// regcomp expands every bounded repetition into copies: `A{m,n}` becomes m copies of A followed by
/// n−m copies nested as `((A?A)?A)?…`, and `A+` is `AA*`. It then computes, for every node of that
/// automaton, its epsilon closure (every node reachable without consuming input) and keeps those sets.
/// The nested optionals are what makes `a{0,16000}` expensive: the outermost optional reaches all the
/// others, so the closures together hold about n² entries (2 GB and seconds for n = 16,000), although
/// the pattern expands to only 32,000 nodes. Nested repetitions multiply.
///
/// The estimate models that construction piece by piece. Each piece of the pattern is summarised by
/// five numbers (`Piece`), which combine exactly for concatenation, alternation, `?`, `*` and counted
/// repetition, so the cost of `(a{0,1000}){0,30}` is computed without expanding anything. Where the
/// model is unsure it counts more, never less: a node's closure is charged in full even when glibc
/// shares it.
public struct RegexCost: Equatable, Sendable {
    /// Nodes of regcomp's automaton once bounded repetitions are expanded.
    public var nodes: Int
    /// Entries of all the nodes' epsilon closures together.
    public var closureEntries: Int

    /// Heap bytes regcomp needs for such an automaton: per node its tree and automaton records and its
    /// sets (measured on glibc 2.36 at about 200 bytes), per closure entry one 8-byte index, allocated in
    /// sets that grow by doubling (16 bytes per entry in the worst case).
    public var estimatedBytes: Int {
        RegexCost.add(RegexCost.multiply(nodes, 200), RegexCost.multiply(closureEntries, 16))
    }

    /// Arithmetic saturates here: far above any limit, far below overflow.
    static let saturation = 1 << 50

    static func add(_ a: Int, _ b: Int) -> Int { min(saturation, a + b) }

    static func multiply(_ a: Int, _ b: Int) -> Int {
        if a == 0 || b == 0 { return 0 }
        return a > saturation / b ? saturation : min(saturation, a * b)
    }
}

extension RegexRisk {
    /// One key's estimated compile memory above which it is refused. `a{0,1400}` and `(a{300}){300}` are
    /// just under it (glibc 2.36: 16–19 MB peak, 0.1 s); `a{0,255}` needs 1 MB.
    public static let maxCompileBytes = 32 << 20
    /// All keys of one script together (compiled one after the other, so this bounds time, not peak
    /// memory): about a second of regcomp on a loaded 2-core machine.
    public static let maxTotalCompileBytes = 256 << 20
    /// glibc's RE_DUP_MAX: a larger bound makes regcomp fail at once ("Regular expression too big"),
    /// before it builds anything, so the estimate stops there and leaves the message to regcomp.
    static let maxRepetitionBound = 0x7FFF

    /// The estimated cost of compiling `p` as a POSIX extended regular expression.
    public static func compileCost(_ p: [UInt8]) -> RegexCost {
        var estimator = CostEstimator(pattern: p)
        return estimator.run()
    }
}

/// A piece of a pattern as regcomp builds it.
struct Piece: Equatable {
    /// Automaton nodes.
    var nodes: Int
    /// Closure entries of the piece's own nodes, counting only what lies inside the piece.
    var closure: Int
    /// Entries of the closure of the piece's entry: what a node reaching the piece's start reaches.
    var first: Int
    /// Nodes of the piece whose closure reaches its exit, and so also what follows the piece.
    var tail: Int
    /// Whether the piece can match the empty string (its entry reaches its exit).
    var nullable: Bool

    static let empty = Piece(nodes: 0, closure: 0, first: 0, tail: 0, nullable: true)
    /// A character, bracket expression, `.` or back-reference: one node that consumes input.
    static func atom(nodes: Int = 1) -> Piece {
        Piece(nodes: nodes, closure: nodes, first: 1, tail: 0, nullable: false)
    }
    /// `^`, `$`, `\b`… and group boundaries: one node that consumes nothing.
    static let anchor = Piece(nodes: 1, closure: 1, first: 1, tail: 1, nullable: true)

    typealias C = RegexCost

    /// `AB`: A's nodes that reach its exit also reach B's entry closure.
    static func concat(_ a: Piece, _ b: Piece) -> Piece {
        Piece(
            nodes: C.add(a.nodes, b.nodes),
            closure: C.add(C.add(a.closure, b.closure), C.multiply(a.tail, b.first)),
            first: a.nullable ? C.add(a.first, b.first) : a.first,
            tail: b.nullable ? C.add(b.tail, a.tail) : b.tail,
            nullable: a.nullable && b.nullable)
    }

    /// `A?`: one branching node in front of A.
    static func optional(_ a: Piece) -> Piece {
        let entry = C.add(1, a.first)
        return Piece(
            nodes: C.add(a.nodes, 1), closure: C.add(a.closure, entry), first: entry, tail: C.add(a.tail, 1),
            nullable: true)
    }

    /// `A*`: a branching node that A's exit loops back to.
    static func star(_ a: Piece) -> Piece {
        let entry = C.add(1, a.first)
        return Piece(
            nodes: C.add(a.nodes, 1), closure: C.add(C.add(a.closure, entry), C.multiply(a.tail, entry)),
            first: entry, tail: C.add(a.tail, 1), nullable: true)
    }

    /// `A|B`: one branching node in front of both.
    static func alternation(_ a: Piece, _ b: Piece) -> Piece {
        let entry = C.add(1, C.add(a.first, b.first))
        let nullable = a.nullable || b.nullable
        return Piece(
            nodes: C.add(C.add(a.nodes, b.nodes), 1), closure: C.add(C.add(a.closure, b.closure), entry),
            first: entry, tail: C.add(C.add(a.tail, b.tail), nullable ? 1 : 0), nullable: nullable)
    }

    /// `A` repeated `count` times, by doubling (concatenation is associative).
    static func power(_ a: Piece, _ count: Int) -> Piece {
        var result = Piece.empty
        var base = a
        var n = count
        while n > 0 {
            if n & 1 == 1 { result = concat(result, base) }
            n >>= 1
            if n > 0 { base = concat(base, base) }
        }
        return result
    }

    /// `((A?A)?A)?…` with `k` copies of A (k ≥ 1), in closed form: the k-th level's entry reaches every
    /// level inside it, which is where the k² comes from.
    static func nestedOptionals(_ a: Piece, _ k: Int) -> Piece {
        let one = C.add(1, a.first)  // entry growth per level
        let tailStep = C.add(1, a.tail)
        // Sum of the tails of levels 1…k−1 (they grow per level only when A is nullable).
        let tailSum = a.nullable ? C.multiply(tailStep, triangle(k - 1)) : C.multiply(tailStep, k - 1)
        let closure = C.add(
            C.add(C.multiply(k, C.add(a.closure, one)), C.multiply(a.first, tailSum)),
            C.multiply(one, triangle(k - 1)))
        return Piece(
            nodes: C.multiply(k, C.add(a.nodes, 1)), closure: closure, first: C.multiply(k, one),
            tail: a.nullable ? C.multiply(k, tailStep) : tailStep, nullable: true)
    }

    /// 1 + 2 + … + n.
    static func triangle(_ n: Int) -> Int { n <= 0 ? 0 : C.multiply(n, n + 1) / 2 }

    /// `A{low,high}` (high nil: unbounded) as glibc rewrites it.
    static func repetition(_ a: Piece, low: Int, high: Int?) -> Piece {
        if low == 0 && high == 0 { return .empty }
        let required = power(a, low)
        guard let high else { return concat(required, star(a)) }
        if high <= low { return required }
        return concat(required, nestedOptionals(a, high - low))
    }
}

/// Walks the pattern once, keeping one frame per open group.
struct CostEstimator {
    let p: [UInt8]
    /// Back-references make regcomp keep the groups as nodes and compute inverse closures as well.
    let hasBackReferences: Bool

    struct Frame {
        /// The alternatives before the current one, combined.
        var alternatives: Piece?
        /// The current alternative without its last element.
        var sequence = Piece.empty
        /// The last element, which a following `*`, `+`, `?` or `{…}` applies to.
        var last: Piece?

        mutating func push(_ piece: Piece) {
            if let last { sequence = Piece.concat(sequence, last) }
            last = piece
        }

        func finished() -> Piece {
            let branch = last.map { Piece.concat(sequence, $0) } ?? sequence
            return alternatives.map { Piece.alternation($0, branch) } ?? branch
        }
    }

    init(pattern: [UInt8]) {
        p = pattern
        var found = false
        var i = 0
        while i + 1 < p.count {
            if p[i] == 0x5C {
                if p[i + 1] >= 0x31 && p[i + 1] <= 0x39 { found = true }
                i += 2
            } else {
                i += 1
            }
        }
        hasBackReferences = found
    }

    mutating func run() -> RegexCost {
        var stack = [Frame()]
        var i = 0
        scan: while i < p.count {
            let c = p[i]
            switch c {
            case 0x5C:  // \x
                let next: UInt8 = i + 1 < p.count ? p[i + 1] : 0
                switch next {
                case 0x62, 0x42, 0x3C, 0x3E, 0x60, 0x27: stack[stack.count - 1].push(.anchor)  // \b \B \< \> \` \'
                case 0x77, 0x57, 0x73, 0x53: stack[stack.count - 1].push(.atom(nodes: 3))  // \w \W \s \S
                default: stack[stack.count - 1].push(.atom())
                }
                i += 2
                continue
            case 0x5B:  // a bracket expression is one node
                i = CostEstimator.endOfBracket(p, i)
                stack[stack.count - 1].push(.atom())
                continue
            case 0x28:
                stack.append(Frame())
            case 0x29:
                if stack.count > 1 {
                    var group = stack.removeLast().finished()
                    if hasBackReferences { group = Piece.concat(Piece.concat(.anchor, group), .anchor) }
                    stack[stack.count - 1].push(group)
                } else {
                    stack[stack.count - 1].push(.atom())
                }
            case 0x7C:
                let branch = stack[stack.count - 1].finished()
                stack[stack.count - 1] = Frame(alternatives: branch)
            case 0x5E, 0x24:
                stack[stack.count - 1].push(.anchor)
            case 0x2A, 0x2B, 0x3F, 0x7B:
                var low = 0
                var high: Int? = nil
                var end = i + 1
                switch c {
                case 0x2A: break
                case 0x2B: low = 1
                case 0x3F: high = 1
                default:
                    guard let brace = CostEstimator.interval(p, i) else {
                        stack[stack.count - 1].push(.atom())  // not an interval: regcomp decides
                        i += 1
                        continue scan
                    }
                    if brace.low > RegexRisk.maxRepetitionBound || (brace.high ?? 0) > RegexRisk.maxRepetitionBound {
                        break scan
                    }
                    (low, high, end) = (brace.low, brace.high, brace.end)
                }
                if let last = stack[stack.count - 1].last {
                    stack[stack.count - 1].last = Piece.repetition(last, low: low, high: high)
                } else {
                    stack[stack.count - 1].push(.atom())
                }
                i = end
                continue
            default:
                stack[stack.count - 1].push(.atom())
            }
            i += 1
        }
        // Unclosed groups are an error for regcomp; what was parsed so far was still built.
        var whole = stack.removeLast().finished()
        while let frame = stack.popLast() {
            var outer = frame
            outer.push(whole)
            whole = outer.finished()
        }
        whole = Piece.concat(whole, .atom())  // the end-of-pattern node
        let closure = hasBackReferences ? RegexCost.multiply(whole.closure, 2) : whole.closure
        return RegexCost(nodes: whole.nodes, closureEntries: closure)
    }

    /// `{low}`, `{low,}`, `{low,high}` or `{,high}` at `i`; nil when the brace opens no interval.
    static func interval(_ p: [UInt8], _ i: Int) -> (low: Int, high: Int?, end: Int)? {
        let (low, afterLow) = bound(p, from: i + 1)
        var (high, j) = (low, afterLow)
        if j < p.count, p[j] == 0x2C {
            (high, j) = bound(p, from: j + 1)
        }
        guard low != nil || high != nil, j < p.count, p[j] == 0x7D else { return nil }
        return (low ?? 0, high, j + 1)
    }

    /// The decimal bound at `j` (saturating at a million), nil when there are no digits, and the index after it.
    private static func bound(_ p: [UInt8], from start: Int) -> (Int?, Int) {
        var j = start
        var value = 0
        while j < p.count, Lexer.isDigit(p[j]) {
            value = min(1_000_000, value * 10 + Int(p[j] - 0x30))
            j += 1
        }
        return (j > start ? value : nil, j)
    }

    /// The index after the bracket expression opening at `i` (`[]a]`, `[^]a]` and `[[:alpha:]]` included).
    static func endOfBracket(_ p: [UInt8], _ i: Int) -> Int {
        var j = i + 1
        if j < p.count, p[j] == 0x5E { j += 1 }
        if j < p.count, p[j] == 0x5D { j += 1 }
        while j < p.count, p[j] != 0x5D {
            if p[j] == 0x5B, j + 1 < p.count, p[j + 1] == 0x3A || p[j + 1] == 0x2E || p[j + 1] == 0x3D {
                let close = p[j + 1]
                j += 2
                while j + 1 < p.count, !(p[j] == close && p[j + 1] == 0x5D) { j += 1 }
                j += 2
                continue
            }
            j += 1
        }
        return j + 1
    }
}
