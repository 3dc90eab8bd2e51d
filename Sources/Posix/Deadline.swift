/// A point on the monotonic clock by which something must happen: the end of the idle, command or
/// login time limit. The Connection keeps one per limit and passes the smallest
/// `remainingMilliseconds` to `Transport.read`, so a client that trickles one octet at a time cannot
/// extend a limit that is measured from the start of the command.
public struct Deadline: Equatable, Comparable, Sendable {
    /// Milliseconds on `Clock.monotonicMilliseconds()`.
    public let monotonicMilliseconds: UInt64

    public init(monotonicMilliseconds: UInt64) {
        self.monotonicMilliseconds = monotonicMilliseconds
    }

    /// `milliseconds` from now (a negative value is treated as zero: already due).
    public static func after(milliseconds: Int) -> Deadline {
        Deadline(monotonicMilliseconds: Clock.monotonicMilliseconds() &+ UInt64(max(0, milliseconds)))
    }

    /// Milliseconds left, 0 once due; suitable as a read timeout.
    public var remainingMilliseconds: Int {
        let now = Clock.monotonicMilliseconds()
        return monotonicMilliseconds > now ? Int(clamping: monotonicMilliseconds - now) : 0
    }

    /// True once the deadline has passed.
    public var hasPassed: Bool { Clock.monotonicMilliseconds() >= monotonicMilliseconds }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool {
        lhs.monotonicMilliseconds < rhs.monotonicMilliseconds
    }
}
