/// A wrapped terraform run that has not finished and was heard from recently.
public struct LiveRun: Hashable, Sendable {
    /// The run's ID.
    public var runID: String
    /// Who runs it, when the run said.
    public var who: String?
    /// When it was last heard from.
    public var lastSeen: Timestamp?

    /// A live run.
    public init(runID: String, who: String?, lastSeen: Timestamp?) {
        self.runID = runID
        self.who = who
        self.lastSeen = lastSeen
    }
}
