/// The details of `source.table_missing`: the table, the locks held when it was last seen (their
/// holds end `unknown`), and how many items it had.
public struct TableMissingDetails: EventDetails, Hashable {
    /// The members, as docs/events.md names them.
    public enum Member: String, CaseIterable, Sendable {
        case table
        case heldLockIDs = "held_lock_ids", itemsBefore = "items_before"
    }

    public static let kinds: [EventKind] = [.sourceTableMissing]

    /// The lock table.
    public var table: String
    /// The lock IDs held when it was last seen.
    public var heldLockIDs: [String]
    /// How many items it had then.
    public var itemsBefore: Int

    /// Details.
    public init(table: String, heldLockIDs: [String], itemsBefore: Int) {
        self.table = table
        self.heldLockIDs = heldLockIDs
        self.itemsBefore = itemsBefore
    }

    public var object: [String: JSONValue] {
        var d = DetailsObject<Member>()
        d[.table] = .string(table)
        d[.heldLockIDs] = .array(heldLockIDs.map(JSONValue.string))
        d[.itemsBefore] = .int(Int64(itemsBefore))
        return d.object
    }
}
