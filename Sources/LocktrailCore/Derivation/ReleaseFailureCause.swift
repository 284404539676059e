/// Why terraform failed to release its lock, read off its error message. Only a lock that was
/// gone, or that carried another ID, is evidence that someone removed it; a network, throttling
/// or permission error says nothing about the lock (`terraform-locks.md` §5).
public enum ReleaseFailureCause: String, Hashable, Sendable {
    /// The lock was no longer there: DynamoDB returned no item (terraform then fails to decode
    /// an empty `Info`: "unexpected end of JSON input"), or the lock file was missing (NoSuchKey).
    case lockGone = "lock_gone"
    /// The lock there carried another ID ("lock ID … does not match existing lock").
    case otherLock = "other_lock"
    /// Anything else: a network or endpoint error, throttling, a permission error, or a message
    /// locktrail does not know. No evidence of removal.
    case other

    /// Reads the cause from terraform's `Error message:` text (nil: no message was captured).
    public init(message: String?) {
        guard let message else { self = .other; return }
        if message.contains("does not match existing lock") {
            self = .otherLock
        } else if message.contains("unexpected end of JSON input") || message.contains("NoSuchKey")
            || message.contains("StatusCode: 404") || message.contains("no lock info found")
        {
            self = .lockGone
        } else {
            self = .other
        }
    }

    /// Whether this failure shows that the lock had been removed.
    public var provesRemoval: Bool { self != .other }
}
