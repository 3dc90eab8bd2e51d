// A unified diff of two scripts, line by line (Myers' O(ND) shortest edit script), for `history --diff`:
// no external diff program at run time. Lines are compared as bytes, line ends included, so a CRLF/LF
// change shows.

enum LineDiff {
    enum Edit: Equatable {
        case same(old: Int, new: Int)
        case removed(old: Int)
        case added(new: Int)
    }

    /// Beyond this many differing lines the diff is one hunk replacing everything: the search keeps a copy of
    /// its frontier per step, which grows with the square of the distance.
    static let maxDistance = 2000

    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            result.append(bytes[start...index])
            start = index + 1
        }
        if start < bytes.count { result.append(bytes[start...]) }
        return result
    }

    /// The edits turning `a` into `b`, in order.
    static func edits(_ a: [ArraySlice<UInt8>], _ b: [ArraySlice<UInt8>]) -> [Edit] {
        // Common head and tail cost nothing and shrink the search.
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] {
            tail += 1
        }
        let middle = middleEdits(Array(a[head..<(a.count - tail)]), Array(b[head..<(b.count - tail)]))
        var result = (0..<head).map { Edit.same(old: $0, new: $0) }
        for edit in middle {
            switch edit {
            case .same(let old, let new): result.append(.same(old: old + head, new: new + head))
            case .removed(let old): result.append(.removed(old: old + head))
            case .added(let new): result.append(.added(new: new + head))
            }
        }
        result += (0..<tail).map { Edit.same(old: a.count - tail + $0, new: b.count - tail + $0) }
        return result
    }

    private static func middleEdits(_ a: [ArraySlice<UInt8>], _ b: [ArraySlice<UInt8>]) -> [Edit] {
        let n = a.count
        let m = b.count
        let replaceAll = (0..<n).map { Edit.removed(old: $0) } + (0..<m).map { Edit.added(new: $0) }
        if n == 0 || m == 0 { return replaceAll }
        let limit = min(n + m, maxDistance)
        let offset = limit + 1
        var frontier = [Int](repeating: 0, count: 2 * limit + 3)
        // trace[d]: the frontier before step d, for diagonals -(d+1)...(d+1).
        var trace: [[Int]] = []
        var found = false
        search: for d in 0...limit {
            trace.append(Array(frontier[(offset - d - 1)...(offset + d + 1)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x =
                    (k == -d || (k != d && frontier[offset + k - 1] < frontier[offset + k + 1]))
                    ? frontier[offset + k + 1] : frontier[offset + k - 1] + 1
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                frontier[offset + k] = x
                if x >= n && y >= m {
                    found = true
                    break search
                }
            }
        }
        guard found else { return replaceAll }
        var result: [Edit] = []
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let saved = trace[d]
            func at(_ k: Int) -> Int { saved[k + d + 1] }
            let k = x - y
            let previousK = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : at(previousK)
            let previousY = d == 0 ? 0 : previousX - previousK
            while x > previousX, y > previousY {
                result.append(.same(old: x - 1, new: y - 1))
                x -= 1
                y -= 1
            }
            if d > 0 {
                result.append(x == previousX ? .added(new: y - 1) : .removed(old: x - 1))
            }
            x = previousX
            y = previousY
        }
        return result.reversed()
    }

    /// `--- oldLabel` / `+++ newLabel` and hunks with `context` lines around each change; "" when equal.
    static func unified(
        old: [UInt8], new: [UInt8], oldLabel: String, newLabel: String, context: Int = 3
    ) -> String {
        let a = lines(old)
        let b = lines(new)
        let all = edits(a, b)
        let changed = all.indices.filter { if case .same = all[$0] { false } else { true } }
        guard !changed.isEmpty else { return "" }
        var out = "--- \(oldLabel)\n+++ \(newLabel)\n"
        var hunkStart = 0
        while hunkStart < changed.count {
            var hunkEnd = hunkStart
            while hunkEnd + 1 < changed.count, changed[hunkEnd + 1] - changed[hunkEnd] <= 2 * context {
                hunkEnd += 1
            }
            let first = max(0, changed[hunkStart] - context)
            let last = min(all.count - 1, changed[hunkEnd] + context)
            var body = ""
            var oldStart: Int?
            var newStart: Int?
            var oldCount = 0
            var newCount = 0
            for edit in all[first...last] {
                switch edit {
                case .same(let o, let n):
                    oldStart = oldStart ?? o
                    newStart = newStart ?? n
                    oldCount += 1
                    newCount += 1
                    body += line(" ", a[o])
                case .removed(let o):
                    oldStart = oldStart ?? o
                    oldCount += 1
                    body += line("-", a[o])
                case .added(let n):
                    newStart = newStart ?? n
                    newCount += 1
                    body += line("+", b[n])
                }
            }
            // An empty side is shown at the line before it, as diff -u does.
            let oldFrom = oldCount == 0 ? position(before: first, in: all, old: true) : (oldStart ?? 0) + 1
            let newFrom = newCount == 0 ? position(before: first, in: all, old: false) : (newStart ?? 0) + 1
            out += "@@ -\(range(oldFrom, oldCount)) +\(range(newFrom, newCount)) @@\n" + body
            hunkStart = hunkEnd + 1
        }
        return out
    }

    private static func range(_ start: Int, _ count: Int) -> String {
        count == 1 ? "\(start)" : "\(start),\(count)"
    }

    /// The number of old (or new) lines before edit `index`.
    private static func position(before index: Int, in edits: [Edit], old: Bool) -> Int {
        edits[..<index].reduce(0) { count, edit in
            switch edit {
            case .same: count + 1
            case .removed: old ? count + 1 : count
            case .added: old ? count : count + 1
            }
        }
    }

    private static func line(_ prefix: String, _ bytes: ArraySlice<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return prefix + (bytes.last == 0x0A ? text : text + "\n\\ No newline at end of file\n")
    }
}
