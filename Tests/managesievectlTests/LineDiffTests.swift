import Foundation
import Testing

@testable import managesievectl

@Suite("LineDiff")
struct LineDiffTests {
    /// The length of a longest common subsequence, by the textbook table (small inputs only).
    func lcs(_ a: [ArraySlice<UInt8>], _ b: [ArraySlice<UInt8>]) -> Int {
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0..<a.count {
            for j in 0..<b.count {
                table[i + 1][j + 1] = a[i] == b[j] ? table[i][j] + 1 : max(table[i][j + 1], table[i + 1][j])
            }
        }
        return table[a.count][b.count]
    }

    @Test("the edits rebuild both sides and are a shortest edit script (against an LCS table)")
    func shortestAndFaithful() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<400 {
            let a = (0..<Int.random(in: 0...12, using: &generator)).map { _ in "l\(Int.random(in: 0...3))\n" }
            let b = (0..<Int.random(in: 0...12, using: &generator)).map { _ in "l\(Int.random(in: 0...3))\n" }
            let old = LineDiff.lines(Array(a.joined().utf8))
            let new = LineDiff.lines(Array(b.joined().utf8))
            let edits = LineDiff.edits(old, new)
            var rebuiltOld: [ArraySlice<UInt8>] = []
            var rebuiltNew: [ArraySlice<UInt8>] = []
            var same = 0
            for edit in edits {
                switch edit {
                case .same(let o, let n):
                    #expect(old[o] == new[n])
                    rebuiltOld.append(old[o])
                    rebuiltNew.append(new[n])
                    same += 1
                case .removed(let o): rebuiltOld.append(old[o])
                case .added(let n): rebuiltNew.append(new[n])
                }
            }
            #expect(rebuiltOld == old && rebuiltNew == new)
            #expect(same == lcs(old, new), "\(a) -> \(b)")
        }
    }

    @Test("unified output: hunks with three lines of context, the missing final newline marked")
    func unified() {
        let old = (1...12).map { "line \($0)\n" }.joined()
        let new = old.replacingOccurrences(of: "line 2\n", with: "line two\n") + "end"
        #expect(
            LineDiff.unified(old: Array(old.utf8), new: Array(new.utf8), oldLabel: "a", newLabel: "b") == """
                --- a
                +++ b
                @@ -1,5 +1,5 @@
                 line 1
                -line 2
                +line two
                 line 3
                 line 4
                 line 5
                @@ -10,3 +10,4 @@
                 line 10
                 line 11
                 line 12
                +end
                \\ No newline at end of file

                """)
        #expect(LineDiff.unified(old: Array(old.utf8), new: Array(old.utf8), oldLabel: "a", newLabel: "b") == "")
        #expect(
            LineDiff.unified(old: [], new: Array("x\n".utf8), oldLabel: "a", newLabel: "b")
                == "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n")
    }
}
