import LocktrailCore

/// What one collection cycle did.
public struct CycleReport: Sendable, Equatable {
    /// How the source was read.
    public enum Mode: String, Sendable, Equatable {
        /// Scans (or listings) only.
        case scan
        /// A stream read between reconciliations.
        case stream
        /// A reconciliation: a scan with the stream read after it.
        case reconcile
    }

    /// The source.
    public var source: String
    /// Items the scan saw.
    public var items: Int
    /// Events appended.
    public var appended: Int
    /// Events skipped as already recorded.
    public var duplicates: Int
    /// Whether the table was missing.
    public var tableMissing: Bool
    /// Whether a coverage gap was recorded in this cycle.
    public var gapRecorded: Bool
    /// How the source was read.
    public var mode: Mode = .scan
    /// Stream records read.
    public var streamRecords = 0
    /// Changes a reconciliation found that push (the stream or the queue) had not delivered.
    public var repaired = 0
    /// Why the source stays on scans although streams are on, when it does.
    public var scanReason: String?
    /// Seconds until the next cycle, when the source says (a stream is read every second).
    public var nextCycleIn: Double?

    /// The report of `plan`, committed with `outcome`.
    init(_ plan: CyclePlan, appended: Int, duplicates: Int) {
        self.source = plan.source
        if case .observed(let status, _, let items) = plan.status {
            self.items = items
            self.tableMissing = status == .tableMissing
        } else {
            self.items = 0
            self.tableMissing = false
        }
        if case .pushed(let records, _) = plan.status { self.streamRecords = records }
        self.appended = appended
        self.duplicates = duplicates
        self.gapRecorded = plan.recordsGap
        self.repaired = plan.cursor.stream?.repaired ?? 0
    }

    /// A cycle that committed nothing.
    init(idle source: String, mode: Mode, nextCycleIn: Double?) {
        self.source = source
        self.items = 0
        self.appended = 0
        self.duplicates = 0
        self.tableMissing = false
        self.gapRecorded = false
        self.mode = mode
        self.nextCycleIn = nextCycleIn
    }
}
