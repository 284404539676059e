import LocktrailCrypto

/// The hash chain over the event log: each event's hash is SHA-256 of the previous event's hash
/// followed by the event's canonical encoding, so altering, removing, inserting or reordering any
/// event changes every hash after it.
public enum EventChain {
    /// The `previous` hash of the first event: 32 zero bytes.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    /// SHA-256(previous ‖ canonical).
    public static func hash(previous: [UInt8], canonical: [UInt8]) -> [UInt8] {
        var hasher = SHA256Hasher()
        hasher.update(previous)
        hasher.update(canonical)
        return hasher.finalize()
    }

    /// The hash of `event`, canonically encoded in `encoding`, chained after `previous`.
    public static func hash(previous: [UInt8], event: Event, encoding: EventEncoding = .current) -> [UInt8] {
        hash(previous: previous, canonical: event.canonicalEncoding(in: encoding))
    }
}

/// One stored event as `verify` sees it: its position, the links it stores, and the hash its
/// stored contents produce now.
public struct ChainLink: Sendable {
    /// Position in the log (1, 2, 3, …).
    public var seq: Int64
    /// The previous hash stored with the event.
    public var storedPrevious: [UInt8]
    /// The hash stored with the event.
    public var storedHash: [UInt8]
    /// SHA-256(storedPrevious ‖ canonical encoding of the stored contents), computed now.
    public var recomputedHash: [UInt8]

    /// A link as read back from storage.
    public init(seq: Int64, storedPrevious: [UInt8], storedHash: [UInt8], recomputedHash: [UInt8]) {
        self.seq = seq
        self.storedPrevious = storedPrevious
        self.storedHash = storedHash
        self.recomputedHash = recomputedHash
    }
}

/// Where and how the chain breaks.
public struct ChainBreak: Hashable, Sendable, CustomStringConvertible {
    /// The kind of damage.
    public enum Kind: String, Hashable, Sendable {
        /// The event's stored contents no longer produce its stored hash.
        case altered
        /// Events before this one are gone.
        case missing
        /// This event was not appended by the chain: the events around it link past it.
        case inserted
        /// This event is out of its place: it links to an event stored after it.
        case reordered
        /// The link to the previous event is wrong for another reason (e.g. re-hashed after an edit).
        case broken
        /// The log ends before the recorded head (events at the end are gone).
        case truncated
    }

    /// The kind of damage.
    public var kind: Kind
    /// The event at which the chain breaks.
    public var seq: Int64
    /// One sentence a reviewer can act on.
    public var explanation: String

    /// A break of `kind` at event `seq`.
    public init(kind: Kind, seq: Int64, explanation: String) {
        self.kind = kind
        self.seq = seq
        self.explanation = explanation
    }

    public var description: String { "\(kind.rawValue) at event \(seq): \(explanation)" }
}

/// Walks the chain in stored order and finds the first break. Pure: the caller streams links
/// in `seq` order, with one link of lookahead, so memory stays constant for any log length.
public struct ChainVerifier: Sendable {
    private var expectedPrevious = EventChain.genesis
    private var previousSeq: Int64 = 0
    private var beforePrevious: [UInt8]? = nil
    /// How many links were checked.
    public private(set) var checked: Int64 = 0
    /// The hash of the last link checked (the head, once all are checked).
    public var head: [UInt8] { expectedPrevious }
    /// The seq of the last link checked.
    public var headSeq: Int64 { previousSeq }

    /// A verifier at the start of the chain.
    public init() {}

    /// Checks `link`, given the link stored after it (nil at the end); returns the first break.
    public mutating func check(_ link: ChainLink, next: ChainLink?) -> ChainBreak? {
        defer {
            beforePrevious = expectedPrevious
            expectedPrevious = link.storedHash
            previousSeq = link.seq
            checked += 1
        }
        if link.storedPrevious != expectedPrevious {
            if let next, link.storedPrevious == next.storedHash {
                return ChainBreak(
                    kind: .reordered, seq: link.seq,
                    explanation: "it links to the event stored after it (event \(next.seq)): the two were swapped")
            }
            if let next, next.storedPrevious == expectedPrevious {
                return ChainBreak(
                    kind: .inserted, seq: link.seq,
                    explanation: "the chain continues from event \(previousSeq) to event \(next.seq) without it")
            }
            if link.storedPrevious == beforePrevious {
                return ChainBreak(
                    kind: .inserted, seq: previousSeq,
                    explanation: "event \(link.seq) links past it to the event before it")
            }
            if link.seq > previousSeq + 1 {
                return ChainBreak(
                    kind: .missing, seq: link.seq,
                    explanation: "events \(previousSeq + 1)…\(link.seq - 1) are gone; it links to an event that is no longer stored")
            }
            return ChainBreak(
                kind: .broken, seq: link.seq,
                explanation:
                    "it does not link to event \(previousSeq): an earlier event was altered and re-hashed, or events were removed and renumbered")
        }
        if link.recomputedHash != link.storedHash {
            return ChainBreak(kind: .altered, seq: link.seq, explanation: "its stored contents no longer match its hash")
        }
        if link.seq != previousSeq + 1 {
            return ChainBreak(
                kind: .missing, seq: link.seq,
                explanation: "positions \(previousSeq + 1)…\(link.seq - 1) are empty although the links are intact: events were renumbered")
        }
        return nil
    }
}
