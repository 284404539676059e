/// What a notification is about; the names are those of the `events:` list of `--notifications`.
public enum NotificationKind: String, CaseIterable, Hashable, Sendable {
    /// A hold the derivation proves force-removed (`release_kind: forced`).
    case forced
    /// A lock still held whose acquire is certainly older than the webhook's `stale_after`.
    case stale
    /// A write the derivation proves was made with no lock held (`status: unlocked`).
    case unlockedWrite = "unlocked_write"
    /// A run reported blocked by another holder's lock (`lock.contended`, reported by a client).
    case contention
    /// A period a source did not observe (`source.coverage_gap`).
    case coverageGap = "coverage_gap"
}

/// What a webhook wants, as the notifier plans with it (no URL, no secret: those stay in the
/// process that delivers).
public struct NotificationRule: Hashable, Sendable {
    /// The webhook's name: part of every delivery id, so renaming it starts afresh.
    public var webhook: String
    /// The kinds it is sent.
    public var kinds: Set<NotificationKind>
    /// For `stale`: how long a lock must certainly have been held, in seconds.
    public var staleAfter: Double

    /// A rule.
    public init(webhook: String, kinds: Set<NotificationKind>, staleAfter: Double) {
        (self.webhook, self.kinds, self.staleAfter) = (webhook, kinds, staleAfter)
    }
}
