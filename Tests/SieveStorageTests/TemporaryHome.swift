import Foundation
import Glibc
import Posix

@testable import SieveStorage

/// A private home directory from mkdtemp with the default layout: `~/sieve` and `~/.dovecot.sieve`.
/// Removed when released.
final class TemporaryHome: Sendable {
    let path: String
    var storage: String { path + "/sieve" }
    var link: String { path + "/.dovecot.sieve" }

    init() {
        var template = Array("/tmp/storage-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func store(_ quota: QuotaLimits = QuotaLimits(), lockTimeoutMilliseconds: Int = 2_000) throws -> FileScriptStore {
        try FileScriptStore(
            storageDirectory: storage, activeLinkPath: link, quota: quota,
            lockTimeoutMilliseconds: lockTimeoutMilliseconds)
    }

    func write(_ relative: String, _ text: String) {
        let full = path + "/" + relative
        try? FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        precondition(FileManager.default.createFile(atPath: full, contents: Data(text.utf8)))
    }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: path + "/" + relative).map { String(decoding: $0, as: UTF8.self) }
    }

    func symlink(_ relative: String, to target: String) {
        let result = Glibc.symlink(target, path + "/" + relative)
        precondition(result == 0, "symlink failed")
    }

    func readLink(_ relative: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: path + "/" + relative)
    }

    func exists(_ relative: String) -> Bool {
        var st = stat()
        return lstat(path + "/" + relative, &st) == 0
    }

    func isSymbolicLink(_ relative: String) -> Bool {
        var st = stat()
        return lstat(path + "/" + relative, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK
    }

    func mode(_ relative: String) -> mode_t? {
        var st = stat()
        return lstat(path + "/" + relative, &st) == 0 ? st.st_mode & 0o7777 : nil
    }

    func entries(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path + "/" + relative)) ?? []).sorted()
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
