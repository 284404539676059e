/// How a cycle ended, as the store records it against the source.
public enum CycleStatus: Hashable, Sendable {
    /// The source was observed: its status afterwards, the scan (coverage reaches
    /// `window.completed`), and how many items it saw.
    case observed(SourceStatus, window: ScanWindow, items: Int)
    /// The observation failed at `at`; coverage does not advance. `message` says why, in words a
    /// reader of the coverage gap it may lead to can act on.
    case failed(message: String, at: Timestamp)
    /// A push source (a change stream) delivered `records` records, read by `at`; the scan's
    /// coverage and status stay as they are (the stream's own positions move on).
    case pushed(records: Int, at: Timestamp)
    /// Part of a scan still being read: `items` items up to a page received at `at`, whose new and
    /// changed entries are committed (and derived) while the rest is read. Coverage and status stay
    /// as they are until the scan's own plan is committed; what disappeared is known only then.
    case progress(items: Int, at: Timestamp)
}
