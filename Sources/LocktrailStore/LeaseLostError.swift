/// A cycle planned under a lease that has changed hands since: its commit was refused whole.
public struct LeaseLostError: Error, CustomStringConvertible {
    /// The source.
    public var source: String
    /// The token the plan carried.
    public var token: UInt64
    /// Who holds the source now, as `host pid (token N)`, when anybody does.
    public var current: String?
    public var description: String {
        "the lease on \(source) (token \(token)) was taken over\(current.map { " by \($0)" } ?? ""): this collector no longer owns the source, and its cycle was discarded"
    }
}
