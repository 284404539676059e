/// The details every lock event carries about its record (`LockRecordFacts`), as a JSON object.
extension LockRecord {
    /// `who`, `operation`, `version`, `created` (text as written), `path`, `info`, and
    /// `problems`/`unknown_fields` when there are any.
    public var eventDetails: [String: JSONValue] { LockRecordFacts(self).object }
}
