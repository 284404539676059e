/// What a lock record says, under the names every lock event's details (and a force-unlock's
/// `holder`) carry them: Terraform's own values, `created` as the text it wrote.
public struct LockRecordFacts: Hashable, Sendable {
    /// The members, as docs/events.md names them.
    public enum Member: String, CaseIterable, Sendable {
        case who, operation, version, created, path, info, problems
        case unknownFields = "unknown_fields"
    }

    /// The record.
    public var record: LockRecord

    /// The facts of `record`.
    public init(_ record: LockRecord) { self.record = record }

    /// `who`, `operation`, `version`, `created`, `path`, `info` (null when the record lacks them),
    /// and `problems`/`unknown_fields` when there are any.
    public var object: [String: JSONValue] {
        var d = DetailsObject<Member>()
        d[.who] = .optional(record.who)
        d[.operation] = .optional(record.operation)
        d[.version] = .optional(record.version)
        d[.created] = .optional(record.createdText)
        d[.path] = .optional(record.path)
        d[.info] = .optional(record.info)
        if !record.problems.isEmpty { d[.problems] = .array(record.problems.map(JSONValue.string)) }
        if !record.unknownFields.isEmpty { d[.unknownFields] = .object(record.unknownFields) }
        return d.object
    }
}
