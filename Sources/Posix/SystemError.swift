import Glibc

/// A failed system call: what was attempted, on which path (when there is one), errno, and optionally a
/// detail that says more than errno's text can (a size limit, "not a regular file"). The one error type of
/// this target: transports, file reads and the directory-relative file-system calls all throw it.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    public var operation: String
    /// The file or directory the call named; nil for calls on a descriptor or a socket.
    public var path: String?
    public var errno: Int32
    /// Shown instead of errno's text when set.
    public var detail: String?

    public init(operation: String, path: String? = nil, errno: Int32, detail: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.detail = detail
    }

    /// `operation path: detail-or-errno-text`, the form logs and the admin tool show.
    public var description: String {
        let subject = path.map { "\(operation) \($0)" } ?? operation
        return "\(subject): \(detail ?? ErrnoText.describe(errno))"
    }

    /// ENOENT: the entry does not exist.
    public var isNotFound: Bool { errno == ENOENT }
    /// EEXIST: the entry exists already.
    public var isAlreadyExists: Bool { errno == EEXIST }
    /// ELOOP: a final component is a link that O_NOFOLLOW refused to follow.
    public var isSymbolicLink: Bool { errno == ELOOP }
    public var isNotDirectory: Bool { errno == ENOTDIR }
    /// EINVAL as set by `openForReading` for an entry that is not a regular file.
    public var isInvalidArgument: Bool { errno == EINVAL }
    /// ENOSPC or EDQUOT: the file system, not the caller, is out of room.
    public var isOutOfSpace: Bool { errno == ENOSPC || errno == EDQUOT }

    /// EINVAL, for callers that reject an argument before any call (they do not import Glibc).
    public static let invalidArgument: Int32 = EINVAL
    /// EROFS, for a store opened read-only that is asked to write.
    public static let readOnly: Int32 = EROFS
}
