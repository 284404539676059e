/// The kind of a polling source, as the store registers it.
public enum SourceKind: String, Hashable, Sendable {
    /// A DynamoDB lock table.
    case dynamodb
    /// An S3 bucket (and prefix).
    case s3
}
