import LocktrailCore

/// What one collection cycle did.
public struct CycleReport: Sendable, Equatable {
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
    /// Events a reconciliation of a push source found that push had missed.
    public var repaired = 0

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
        self.appended = appended
        self.duplicates = duplicates
        self.gapRecorded = plan.recordsGap
    }
}
