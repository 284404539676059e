/// The details of `source.table_restored`: the table that exists again.
public struct TableRestoredDetails: EventDetails, Hashable {
    /// The members, as docs/events.md names them.
    public enum Member: String, CaseIterable, Sendable {
        case table
    }

    public static let kinds: [EventKind] = [.sourceTableRestored]

    /// The lock table.
    public var table: String

    /// Details.
    public init(table: String) { self.table = table }

    public var object: [String: JSONValue] {
        var d = DetailsObject<Member>()
        d[.table] = .string(table)
        return d.object
    }
}
