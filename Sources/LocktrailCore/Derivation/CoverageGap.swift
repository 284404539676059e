/// A period in which a source did not observe: nothing can be proven absent there.
public struct CoverageGap: Hashable, Sendable {
    /// The source that did not observe.
    public var source: String
    /// Start of the period.
    public var from: Timestamp
    /// End of the period.
    public var to: Timestamp
    /// The event that records it.
    public var seq: Int64
    /// The one state it concerns (e.g. a lock file's history pruned before it was read); nil
    /// when the whole source was blind.
    public var state: String?

    /// A gap.
    public init(source: String, from: Timestamp, to: Timestamp, seq: Int64, state: String? = nil) {
        self.source = source
        self.from = from
        self.to = to
        self.seq = seq
        self.state = state
    }

    /// Whether it concerns `state`.
    public func concerns(_ state: String?) -> Bool { self.state == nil || self.state == state }

    /// Whether `time` may fall inside the gap.
    public func overlaps(_ time: EventTime) -> Bool {
        if let earliest = time.earliest, earliest > to { return false }
        return time.latest >= from
    }
}
