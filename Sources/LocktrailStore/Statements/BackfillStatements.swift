package import LocktrailCore
package import LocktrailPostgres

/// The statements on `s3_backfills` (a resumable version-history import). `BackfillStore` still
/// runs these files by name while the collector moves behind the store.
package enum BackfillStatements {
    /// `s3_backfill_read`: a backfill's checkpoint.
    package struct Read: Statement {
        package static let file = QueryFile.s3BackfillRead
        package var source: String
        package init(source: String) { self.source = source }
        package var bindings: [PostgresValue] { [.string(source)] }

        /// The checkpoint.
        package struct Record: RowDecodable {
            package var keyMarker: String?, entries: Int64, events: Int64, completedAt: String?
            package init(row: Row) throws {
                keyMarker = try row["key_marker"]
                entries = try row["entries"]
                events = try row["events"]
                completedAt = try row["completed_at"]
            }
        }
    }

    /// `s3_backfill_start`: starts (or restarts) a backfill.
    package struct Start: Statement {
        package static let file = QueryFile.s3BackfillStart
        package var source: String, bucket: String, prefix: String
        package init(source: String, bucket: String, prefix: String) { (self.source, self.bucket, self.prefix) = (source, bucket, prefix) }
        package var bindings: [PostgresValue] { [.string(source), .string(bucket), .string(prefix)] }
    }

    /// `s3_backfill_advance`: moves the checkpoint past a committed page.
    package struct Advance: Statement {
        package static let file = QueryFile.s3BackfillAdvance
        package var source: String, keyMarker: String?, entries: Int, events: Int
        package init(source: String, keyMarker: String?, entries: Int, events: Int) {
            (self.source, self.keyMarker, self.entries, self.events) = (source, keyMarker, entries, events)
        }
        package var bindings: [PostgresValue] { [.string(source), .string(keyMarker), .int(Int64(entries)), .int(Int64(events))] }
    }

    /// `sources_record_backfill`: a finished backfill covers a source no cycle has covered yet,
    /// from the backfill's start to `completed`.
    package struct RecordCoverage: Statement {
        package static let file = QueryFile.sourcesRecordBackfill
        package var source: String, completed: Timestamp
        package init(source: String, completed: Timestamp) { (self.source, self.completed) = (source, completed) }
        package var bindings: [PostgresValue] { [.string(source), .timestamp(completed)] }
    }

    /// `s3_backfill_complete`: marks a backfill finished.
    package struct Complete: Statement {
        package static let file = QueryFile.s3BackfillComplete
        package var source: String
        package init(source: String) { self.source = source }
        package var bindings: [PostgresValue] { [.string(source)] }
    }
}
