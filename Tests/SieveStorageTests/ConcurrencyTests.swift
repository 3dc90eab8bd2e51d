import Foundation
import Glibc
import Posix
import Testing

@testable import SieveStorage

@Suite("FileScriptStore: locking, crashes and concurrency")
struct ConcurrencyTests {
    @Test("a lock held by another open file gives tryLater within the timeout, then works again")
    func lockContention() throws {
        let home = TemporaryHome()
        let store = try home.store(lockTimeoutMilliseconds: 300)
        try store.putScript("a", content: bytes("old"))
        let directory = try DirectoryHandle(path: home.storage)
        let holder = try directory.openOrCreate(".managesieved.lock")
        #expect(try holder.tryLockExclusive())
        let started = FileSystem.monotonicMilliseconds()
        #expect(throws: StorageError.tryLater) { try store.putScript("a", content: bytes("new")) }
        #expect(throws: StorageError.tryLater) { try store.setActive("a") }
        #expect(throws: StorageError.tryLater) { try store.deleteScript("a") }
        #expect(throws: StorageError.tryLater) { try store.renameScript("a", to: "b") }
        let elapsed = FileSystem.monotonicMilliseconds() - started
        #expect(elapsed >= 4 * 300 && elapsed < 4 * 300 + 2_000)
        // Reads never take the lock.
        #expect(try store.getScript("a") == bytes("old"))
        #expect(try store.listScripts().count == 1)
        try holder.unlock()
        try store.putScript("a", content: bytes("new"))
        #expect(try store.getScript("a") == bytes("new"))
    }

    @Test("exclusively: the store's own changes inside go through, another session's wait for it")
    func exclusively() throws {
        let home = TemporaryHome()
        let store = try home.store()
        let other = try home.store(lockTimeoutMilliseconds: 200)
        try store.putScript("a", content: bytes("keep;"))
        let seen = try store.exclusively { () throws(StorageError) -> [String] in
            #expect(throws: StorageError.tryLater) { try other.deleteScript("a") }
            #expect(throws: StorageError.tryLater) { try other.putScript("b", content: bytes("keep;")) }
            try store.renameScript("a", to: "b")
            try store.putScript("c", content: bytes("stop;"))
            try store.deleteScript("c")
            return try store.listScripts().map(\.name)
        }
        #expect(seen == ["b"])
        try other.deleteScript("b")
        #expect(try store.listScripts() == [])
    }

    @Test("a lock released during the wait is taken")
    func lockReleasedDuringWait() throws {
        let home = TemporaryHome()
        let store = try home.store(lockTimeoutMilliseconds: 5_000)
        try store.putScript("a", content: bytes("old"))
        let directory = try DirectoryHandle(path: home.storage)
        let holder = try directory.openOrCreate(".managesieved.lock")
        #expect(try holder.tryLockExclusive())
        let descriptor = holder.descriptor
        let releaser = Thread {
            FileSystem.sleep(milliseconds: 200)
            flock(descriptor, LOCK_UN)
        }
        releaser.start()
        try store.putScript("a", content: bytes("new"))
        withExtendedLifetime(holder) {}
        #expect(try store.getScript("a") == bytes("new"))
    }

    @Test(
        "a lock held by another process (util-linux flock) gives tryLater",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock")))
    func lockHeldByProcess() throws {
        let home = TemporaryHome()
        let store = try home.store(lockTimeoutMilliseconds: 200)
        try store.putScript("a", content: bytes("old"))
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["-x", home.storage + "/.managesieved.lock", "/bin/sleep", "3"]
        try holder.run()
        defer {
            holder.terminate()
            holder.waitUntilExit()
        }
        // Wait until the other process holds the lock (without taking it ourselves for long).
        let directory = try DirectoryHandle(path: home.storage)
        let probe = try directory.openOrCreate(".managesieved.lock")
        var held = false
        for _ in 0..<200 {
            if try probe.tryLockExclusive() {
                try probe.unlock()
                FileSystem.sleep(milliseconds: 10)
            } else {
                held = true
                break
            }
        }
        #expect(held)
        #expect(throws: StorageError.tryLater) { try store.putScript("a", content: bytes("new")) }
        #expect(try store.getScript("a") == bytes("old"))
    }

    /// A process id that does not exist right now.
    func deadProcessID() -> Int32 {
        var pid: Int32 = 4_000_000
        while FileSystem.processExists(pid) { pid -= 1 }
        return pid
    }

    @Test("an interrupted write leaves the old content; its stale temporary file is removed on the next write")
    func interruptedWrite() throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("a", content: bytes("old content"))
        // What a session killed mid-upload leaves: a partial temporary file.
        let dead = deadProcessID()
        home.write("sieve/.a.sieve.\(dead).0123456789abcdef.tmp", "partial ne")
        // A fresh one from a live process (pid 1) and from this process: work in progress, kept.
        home.write("sieve/.a.sieve.1.00000000000000aa.tmp", "in progress")
        home.write("sieve/.b.sieve.\(getpid()).00000000000000bb.tmp", "in progress")
        // An old one from a live process: stale by age.
        home.write("sieve/.c.sieve.1.00000000000000cc.tmp", "ancient")
        var times = [
            timeval(tv_sec: time(nil) - 7200, tv_usec: 0), timeval(tv_sec: time(nil) - 7200, tv_usec: 0),
        ]
        #expect(utimes(home.storage + "/.c.sieve.1.00000000000000cc.tmp", &times) == 0)
        // Not ours at all: left alone.
        home.write("sieve/.editor-swap.tmp", "x")
        #expect(try store.getScript("a") == bytes("old content"))
        #expect(try store.listScripts() == [StoredScript(name: "a", isActive: false, size: 11)])
        try store.putScript("b", content: bytes("B"))
        #expect(
            home.entries("sieve") == [
                ".a.sieve.1.00000000000000aa.tmp", ".b.sieve.\(getpid()).00000000000000bb.tmp", ".editor-swap.tmp",
                ".managesieved.lock", "a.sieve", "b.sieve",
            ])
        #expect(try store.getScript("a") == bytes("old content"))
    }

    @Test("a stale temporary link from a killed SETACTIVE is removed by the next one")
    func staleLinkTemporary() throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("a", content: bytes("A"))
        // Temporary names are "." + the link's name + ".PID.RANDOM.tmp".
        home.symlink("..dovecot.sieve.\(deadProcessID()).0123456789abcdef.tmp", to: "sieve/a.sieve")
        try store.setActive("a")
        #expect(home.entries("") == [".dovecot.sieve", "sieve"])
        // Killed while activating another script: activating the script the link already names cleans up too.
        home.symlink("..dovecot.sieve.\(deadProcessID()).fedcba9876543210.tmp", to: "sieve/b.sieve")
        try store.setActive("a")
        #expect(home.entries("") == [".dovecot.sieve", "sieve"])
    }

    @Test("temporary names are hidden, unique and name their creator")
    func temporaryNames() {
        let name = FileScriptStore.temporaryName(base: "a.sieve")
        #expect(name.hasPrefix(".a.sieve.\(getpid())."))
        #expect(name.hasSuffix(".tmp"))
        #expect(FileScriptStore.temporaryCreator(name) == getpid())
        #expect(FileScriptStore.scriptName(forFile: name) == nil)
        #expect(name != FileScriptStore.temporaryName(base: "a.sieve"))
        let long = FileScriptStore.temporaryName(base: String(repeating: "x", count: 240) + ".sieve")
        #expect(long.utf8.count < 60)
        #expect(FileScriptStore.temporaryCreator(".x.tmp") == nil)
        #expect(FileScriptStore.temporaryCreator(".x.12.nothex!nothex!.tmp") == nil)
    }

    @Test("kill -9 at any instant of PUTSCRIPT, RENAMESCRIPT or SETACTIVE leaves a consistent storage")
    func killedWriter() throws {
        let home = TemporaryHome()
        let versions: [[UInt8]] = [
            Array(repeating: 0x61, count: 1), Array(repeating: 0x62, count: 50_000),
            Array(repeating: 0x63, count: 200_000),
        ]
        let store = try home.store()
        try store.putScript("s", content: versions[0])
        try store.setActive("s")
        // Run every path once here so that the child needs no first-time runtime work.
        try store.renameScript("s", to: "t")
        try store.renameScript("t", to: "s")
        for round in 0..<6 {
            let pid = fork()
            if pid == 0 {
                // The child writes until it is killed; it never returns into the test runner.
                let child = try? home.store()
                var index = 0
                while true {
                    try? child?.putScript("s", content: versions[index % versions.count])
                    try? child?.renameScript("s", to: "t")
                    try? child?.putScript("t", content: versions[(index + 1) % versions.count])
                    try? child?.renameScript("t", to: "s")
                    try? child?.setActive("s")
                    index += 1
                }
            }
            #expect(pid > 0)
            FileSystem.sleep(milliseconds: 20 + round * 13)
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            // Before or after each step: whole versions only, and the active link never dangles.
            let check = try home.store()
            let scripts = try check.listScripts()
            #expect(!scripts.isEmpty)
            for script in scripts {
                #expect(["s", "t"].contains(script.name))
                #expect(versions.contains(try check.getScript(script.name)))
            }
            let active = try check.activeScript()
            #expect(active != nil)
            // The next session works normally and clears what the killed one left.
            try check.putScript(active ?? "s", content: versions[0])
            try check.setActive(active ?? "s")
            #expect(home.entries("sieve").filter { $0.hasSuffix(".tmp") } == [])
            #expect(home.entries("").filter { $0.hasSuffix(".tmp") } == [])
        }
    }

    @Test("concurrent writers in several processes never let a reader see a partial script")
    func concurrentProcesses() throws {
        let home = TemporaryHome()
        let versions: [[UInt8]] = [
            Array(repeating: 0x61, count: 3), Array(repeating: 0x62, count: 80_000),
            Array(repeating: 0x63, count: 250_000),
        ]
        let store = try home.store()
        try store.putScript("s", content: versions[0])
        try store.setActive("s")
        var children: [pid_t] = []
        for worker in 0..<3 {
            let pid = fork()
            if pid == 0 {
                let child = try? home.store(lockTimeoutMilliseconds: 60_000)
                var index = worker
                while true {
                    try? child?.putScript("s", content: versions[index % versions.count])
                    try? child?.setActive("s")
                    index += 1
                }
            }
            children.append(pid)
        }
        defer {
            for pid in children {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
            }
        }
        #expect(children.allSatisfy { $0 > 0 })
        var seen = Set<Int>()
        let deadline = FileSystem.monotonicMilliseconds() + 600
        while FileSystem.monotonicMilliseconds() < deadline {
            let content = try store.getScript("s")
            #expect(versions.contains(content), "partial read of \(content.count) octets")
            seen.insert(content.count)
            #expect(try store.activeScript() == "s")
        }
        #expect(!seen.isEmpty)
    }

    @Test("concurrent writers in several threads never let a reader see a partial script")
    func concurrentWriters() throws {
        let home = TemporaryHome()
        let sizes = [1, 70_000, 300_000, 5]
        let first = try home.store()
        try first.putScript("s", content: Array(repeating: 0x61, count: sizes[0]))
        try first.setActive("s")
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            do {
                let store = try home.store(lockTimeoutMilliseconds: 30_000)
                for round in 0..<15 {
                    if worker == 0 {
                        // The reader: every version it sees is one whole write.
                        let content = try store.getScript("s")
                        let letter = content.first ?? 0
                        let index = Int(letter) - 0x61
                        if !(0..<sizes.count).contains(index) || content.count != sizes[index]
                            || content.contains(where: { $0 != letter })
                        {
                            failures.add("partial read: \(content.count) octets")
                        }
                        if try store.activeScript() != "s" { failures.add("active link lost") }
                    } else {
                        let index = (worker + round) % sizes.count
                        try store.putScript("s", content: Array(repeating: UInt8(0x61 + index), count: sizes[index]))
                        try store.putScript("w\(worker)", content: bytes("keep;"))
                        try store.setActive("s")
                    }
                }
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.all == [])
        #expect(try first.listScripts().map(\.name) == ["s", "w1", "w2", "w3"])
        #expect(home.entries("sieve").filter { $0.hasSuffix(".tmp") } == [])
    }
}

/// Failures collected from worker threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ text: String) { lock.withLock { items.append(text) } }
    var all: [String] { lock.withLock { items } }
}
