public import LocktrailCore
import LocktrailPostgres

/// What one `locktrail verify` found, as recorded.
public struct RecordedVerification: Sendable, Hashable {
    /// When it ran (the database's clock).
    public var verifiedAt: Timestamp
    /// Whether everything checked held.
    public var intact: Bool
    /// Events checked.
    public var events: Int64
    /// The head it checked, `SEQ:HEX`.
    public var head: String
    /// The first problem, when not intact.
    public var problem: String?
}

/// The record of verifications, so a page shows the last result without a full verify per view.
public struct VerificationStore: Sendable {
    let pool: PostgresPool

    /// Records one verify's result.
    public func record(intact: Bool, events: Int64, head: String, problem: String?) async throws {
        try await pool.withConnection { connection in
            _ = try connection.run(WebStatements.VerificationRecord(intact: intact, events: events, head: head, problem: problem))
        }
    }

    /// The last recorded verify, nil when none was ever recorded.
    public func last() async throws -> RecordedVerification? {
        try await pool.withConnection { connection in
            try connection.first(WebStatements.VerificationLast()).map {
                RecordedVerification(verifiedAt: $0.verifiedAt, intact: $0.intact, events: $0.events, head: $0.head, problem: $0.problem)
            }
        }
    }
}
