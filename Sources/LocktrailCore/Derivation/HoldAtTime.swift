/// The answer to "who held this state at that moment", with how precisely that is known.
public struct HoldAtTime: Hashable, Sendable {
    /// The moment asked about.
    public var at: Timestamp
    /// The hold, or nil when no lock can have been held then.
    public var hold: Hold?
    /// `certain` when the hold was held at `at` by every reading of the evidence; `possible` when
    /// `at` falls inside the bounds of its acquire or release.
    public var certainty: String?
    /// Other holds that may also have been held then (e.g. one released and the next acquired
    /// within the same scan interval).
    public var otherCandidates: [String]

    /// Picks the answer from `candidates` (holds of one state): a certain holder if there is one,
    /// else the possible holder acquired last.
    public init(at: Timestamp, candidates: [Hold]) {
        self.at = at
        let possible = candidates.filter { $0.possiblyHeld(from: at, to: at) }
        let chosen =
            possible.first { $0.certainlyHeld(at: at) }
            ?? possible.max {
                ($0.possibleStart ?? Timestamp(microsecondsSinceEpoch: .min)) < ($1.possibleStart ?? Timestamp(microsecondsSinceEpoch: .min))
            }
        hold = chosen
        certainty = chosen.map { $0.certainlyHeld(at: at) ? "certain" : "possible" }
        otherCandidates = possible.map(\.lockID).filter { $0 != chosen?.lockID }.sorted()
    }
}
