import Glibc

/// A whole file in memory from malloc, for the few reads that happen before a connection's greeting: no
/// Swift array or String is made, since the runtime's first use of those costs more start-up than the
/// read itself (see the server's quick greeting). Everything else uses `FileRead`.
public struct RawFile {
    /// The file's bytes; valid until `free()`.
    public let bytes: UnsafeRawBufferPointer

    /// Memory from malloc for bytes a `RawFile` will own (nil when there is none).
    public static func allocate(byteCount: Int) -> UnsafeMutableRawPointer? { malloc(byteCount) }

    /// Takes over `bytes`, which must come from malloc (`free()` releases them).
    public init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Reads the regular file at `path` completely; nil when it cannot be opened or read, is not a regular
    /// file, or holds more than `maxSize` octets (the caller then takes its ordinary path, which reports why).
    public static func read(path: UnsafePointer<CChar>, maxSize: Int) -> RawFile? {
        let fd = SystemCall.retryingEINTR { open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY) }
        guard fd >= 0 else { return nil }
        defer { _ = close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size <= maxSize else {
            return nil
        }
        // One octet more than the file: reading it means the file grew, and the ordinary path deals with that.
        let capacity = Int(status.st_size) + 1
        guard let base = malloc(capacity) else { return nil }
        var count = 0
        while count < capacity {
            let result = SystemCall.retryingEINTR { Glibc.read(fd, base + count, capacity - count) }
            if result < 0 {
                Glibc.free(base)
                return nil
            }
            if result == 0 { break }
            count += result
        }
        guard count < capacity else {
            Glibc.free(base)
            return nil
        }
        return RawFile(bytes: UnsafeRawBufferPointer(start: base, count: count))
    }

    /// The bytes as an array (for the ordinary parsers, once the greeting is out).
    public var array: [UInt8] {
        // One copy into an array of the right size (the generic initializer from a buffer goes byte by byte).
        [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
            if let source = bytes.baseAddress, let target = buffer.baseAddress { memcpy(target, source, bytes.count) }
            count = bytes.count
        }
    }

    /// Releases the memory.
    public func free() {
        Glibc.free(UnsafeMutableRawPointer(mutating: bytes.baseAddress))
    }

    /// True when one of the three byte strings occurs anywhere in the file. All three must begin with the same
    /// byte (a rare one, such as `{`): the file is searched once, not three times.
    public func containsAny(_ first: StaticString, _ second: StaticString, _ third: StaticString) -> Bool {
        Self.containsAny(bytes, first, second, third)
    }

    /// `containsAny` for any bytes (a large file read into an array).
    public static func containsAny(
        _ bytes: UnsafeRawBufferPointer, _ first: StaticString, _ second: StaticString, _ third: StaticString
    ) -> Bool {
        guard let base = bytes.baseAddress, first.utf8CodeUnitCount > 0 else { return false }
        let lead = first.utf8Start[0]
        precondition(second.utf8CodeUnitCount > 0 && second.utf8Start[0] == lead)
        precondition(third.utf8CodeUnitCount > 0 && third.utf8Start[0] == lead)
        func matches(_ needle: StaticString, at position: Int) -> Bool {
            let count = needle.utf8CodeUnitCount
            return position + count <= bytes.count && memcmp(base + position, needle.utf8Start, count) == 0
        }
        var from = 0
        while from < bytes.count, let hit = memchr(base + from, Int32(lead), bytes.count - from) {
            let position = UnsafeRawPointer(hit) - base
            if matches(first, at: position) || matches(second, at: position) || matches(third, at: position) {
                return true
            }
            from = position + 1
        }
        return false
    }

    /// True when `needle` occurs anywhere in the file.
    public func contains(_ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard count > 0, let base = bytes.baseAddress, bytes.count >= count else { return false }
        let first = Int32(needle.utf8Start[0])
        var from = 0
        while from + count <= bytes.count, let hit = memchr(base + from, first, bytes.count - count - from + 1) {
            let position = UnsafeRawPointer(hit) - base
            if memcmp(hit, needle.utf8Start, count) == 0 { return true }
            from = position + 1
        }
        return false
    }

    /// Writes all of `bytes` to `fd`, blocking; 0 on success, else the errno of the failed write.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        guard let base = bytes.baseAddress else { return 0 }
        var offset = 0
        while offset < bytes.count {
            let written = SystemCall.retryingEINTR { write(fd, base + offset, bytes.count - offset) }
            if written < 0 { return errno }
            offset += written
        }
        return 0
    }
}
