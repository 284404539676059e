/// What an event's time rests on (`time_basis` in its details).
public enum TimeBasis: String, Hashable, Sendable, CaseIterable {
    /// The lock record's `Created`, which the observation's bounds allow.
    case created
    /// Only the scan bounds (`scan_after`, `scan_not_after`).
    case scan
    /// S3's `LastModified` of the version or object (whole seconds).
    case lastModified = "last_modified"
    /// A stream record's `ApproximateCreationDateTime` (its second).
    case stream
    /// Only when the record was read (it carried no usable time).
    case read

    var json: JSONValue { .string(rawValue) }
}
