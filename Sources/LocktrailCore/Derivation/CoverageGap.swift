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

    /// A gap.
    public init(source: String, from: Timestamp, to: Timestamp, seq: Int64) {
        self.source = source
        self.from = from
        self.to = to
        self.seq = seq
    }

    /// Whether `time` may fall inside the gap.
    public func overlaps(_ time: EventTime) -> Bool {
        if let earliest = time.earliest, earliest > to { return false }
        return time.latest >= from
    }
}
