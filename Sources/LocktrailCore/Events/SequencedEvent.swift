/// An event with its position in the log: the derivation's input, folded in `seq` order.
public struct SequencedEvent: Hashable, Sendable {
    /// Position in the chain.
    public var seq: Int64
    /// The event.
    public var event: Event

    /// An event at `seq`.
    public init(seq: Int64, event: Event) {
        self.seq = seq
        self.event = event
    }
}
