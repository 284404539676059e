/// The details every lock event carries about its record, under stable names that the
/// derivation of holds and the query layer read.
extension LockRecord {
    /// `who`, `operation`, `version`, `created` (text as written), `path`, `info`, and
    /// `problems`/`unknown_fields` when there are any.
    public var eventDetails: [String: JSONValue] {
        var d: [String: JSONValue] = [
            "who": .optional(who), "operation": .optional(operation), "version": .optional(version),
            "created": .optional(createdText), "path": .optional(path), "info": .optional(info),
        ]
        if !problems.isEmpty { d["problems"] = .array(problems.map(JSONValue.string)) }
        if !unknownFields.isEmpty { d["unknown_fields"] = .object(unknownFields) }
        return d
    }
}
