/// What the log knows about a polling source's coverage: where its last successful cycle
/// reached, and the failures since.
public struct SourceCheckpoint: Hashable, Sendable {
    /// What the source looked like at its last successful cycle.
    public var status: SourceStatus
    /// When the last successful scan started.
    public var lastScanStarted: Timestamp?
    /// When the last successful scan completed: coverage reaches this far.
    public var lastScanCompleted: Timestamp?
    /// Consecutive failed cycles.
    public var failures: Int
    /// The last failure, in words.
    public var lastError: String?

    /// A checkpoint.
    public init(
        status: SourceStatus = .new, lastScanStarted: Timestamp? = nil, lastScanCompleted: Timestamp? = nil,
        failures: Int = 0, lastError: String? = nil
    ) {
        self.status = status
        self.lastScanStarted = lastScanStarted
        self.lastScanCompleted = lastScanCompleted
        self.failures = failures
        self.lastError = lastError
    }

    /// A source never observed.
    public static let new = SourceCheckpoint()

    /// The checkpoint once a cycle ending in `status` is committed. The store's commit does the
    /// same in SQL; this is the rule, in one place a test can reach.
    public func advanced(by status: CycleStatus) -> SourceCheckpoint {
        switch status {
        case .observed(let sourceStatus, let window, _):
            return SourceCheckpoint(status: sourceStatus, lastScanStarted: window.started, lastScanCompleted: window.completed)
        case .pushed, .progress:
            // Stream records move the stream's positions, a scan's early pages only the snapshot:
            // neither moves the scan's coverage.
            return self
        case .failed(let message, _):
            // A failed observation proves nothing: coverage stays where it was.
            var next = self
            next.failures += 1
            next.lastError = message
            return next
        }
    }
}
