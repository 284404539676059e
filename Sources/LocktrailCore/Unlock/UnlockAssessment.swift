/// The lock asked for, as held now, and what speaks against removing it.
public struct UnlockAssessment: Hashable, Sendable {
    /// The first mechanism's holder (all hold the same lock ID).
    public var holder: UnlockHolder
    /// Every mechanism that holds it, in the order they were read.
    public var holders: [UnlockHolder]
    /// Its age in seconds from its `Created`, when the record has one.
    public var age: Double?
    /// Live wrapped runs of its holder (or of an unnamed holder) on the state.
    public var liveRuns: [LiveRun]
    /// Why it should not be removed without `--force`, if anything speaks against it.
    public var refusal: String?

    /// The mechanisms that hold it.
    public var mechanisms: [Mechanism] { holders.map(\.mechanism) }

    /// The mechanisms to remove it from, lock file first, then DynamoDB: terraform's own release order.
    public var removalOrder: [Mechanism] {
        [.s3Lockfile, .dynamodb].filter { mechanisms.contains($0) }
    }
}
