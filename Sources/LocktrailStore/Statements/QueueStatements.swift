package import LocktrailCore
package import LocktrailPostgres

/// The statements on `queue_reads` (how far each SQS queue was read for each source it serves, migration 0013).
package enum QueueStatements {
    /// `queue_read_record`: a receive whose messages for `source` are committed.
    package struct Record: Statement {
        package static let file = QueryFile.queueReadRecord
        package var source: String, read: QueueRead
        package init(source: String, read: QueueRead) { (self.source, self.read) = (source, read) }
        package var bindings: [PostgresValue] {
            [
                .string(read.queue), .string(source), .timestamp(read.receivedAt), .timestamp(read.readThrough), .int(Int64(read.messages)),
                .timestamp(read.newestSentAt), .timestamp(read.newestEventAt),
            ]
        }
    }
}
