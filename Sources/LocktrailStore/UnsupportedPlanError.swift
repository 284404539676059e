/// A plan this store cannot commit faithfully, refused rather than half-applied.
public struct UnsupportedPlanError: Error, CustomStringConvertible {
    /// The source.
    public var source: String
    /// What the plan asks for that the store lacks.
    public var what: String
    public var description: String { "cannot commit the cycle of \(source): \(what) are not supported by this store yet" }
}
