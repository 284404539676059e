package import LocktrailCore
package import LocktrailPostgres

/// The statements on `source_streams` and `stream_positions` (a lock-table source's stream and
/// its shard positions, migration 0007).
package enum StreamStatements {
    /// `stream_read`: the stream a source reads.
    package struct Read: Statement {
        package static let file = QueryFile.streamRead
        package var source: String
        package init(source: String) { self.source = source }
        package var bindings: [PostgresValue] { [.string(source)] }

        /// The stream.
        package struct Record: RowDecodable {
            package var streamARN: String, attachedAt: Timestamp, readThrough: Timestamp, repairs: Int
            package init(row: Row) throws {
                streamARN = try row["stream_arn"]
                attachedAt = try row["attached_at"]
                readThrough = try row["read_through"]
                repairs = try row["repairs"]
            }
        }
    }

    /// `stream_positions_read`: a source's positions in one stream's shards.
    package struct Positions: Statement {
        package static let file = QueryFile.streamPositionsRead
        package var source: String, streamARN: String
        package init(source: String, streamARN: String) { (self.source, self.streamARN) = (source, streamARN) }
        package var bindings: [PostgresValue] { [.string(source), .string(streamARN)] }

        /// One shard's position.
        package struct Record: RowDecodable {
            package var shardID: String, sequenceNumber: String, finished: Bool
            package init(row: Row) throws {
                shardID = try row["shard_id"]
                sequenceNumber = try row["sequence_number"]
                finished = try row["finished"]
            }
        }
    }

    /// `stream_attach`: the stream read, how far, and the repairs of this commit.
    package struct Attach: Statement {
        package static let file = QueryFile.streamAttach
        package var source: String, attachment: SourceCursor.StreamAttachment
        package init(source: String, attachment: SourceCursor.StreamAttachment) { (self.source, self.attachment) = (source, attachment) }
        package var bindings: [PostgresValue] {
            [
                .string(source), .string(attachment.streamARN), .timestamp(attachment.attachedAt), .timestamp(attachment.readThrough),
                .int(Int64(attachment.repaired)), .bool(attachment.restarts),
            ]
        }
    }

    /// `stream_positions_forget`: drops the positions of every other stream of the source, or all.
    package struct Forget: Statement {
        package static let file = QueryFile.streamPositionsForget
        package var source: String, keeping: String, all: Bool
        package init(source: String, keeping: String, all: Bool) { (self.source, self.keeping, self.all) = (source, keeping, all) }
        package var bindings: [PostgresValue] { [.string(source), .string(keeping), .bool(all)] }
    }

    /// `stream_position_lock`: one shard's committed position, row-locked.
    package struct PositionLock: Statement {
        package static let file = QueryFile.streamPositionLock
        package var source: String, streamARN: String, shardID: String
        package init(source: String, streamARN: String, shardID: String) {
            (self.source, self.streamARN, self.shardID) = (source, streamARN, shardID)
        }
        package var bindings: [PostgresValue] { [.string(source), .string(streamARN), .string(shardID)] }

        /// The position.
        package struct Record: RowDecodable {
            package var sequenceNumber: String
            package init(row: Row) throws { sequenceNumber = try row["sequence_number"] }
        }
    }

    /// `stream_position_advance`: a shard read further.
    package struct Advance: Statement {
        package static let file = QueryFile.streamPositionAdvance
        package var source: String, position: SourceCursor.ShardPosition
        package init(source: String, position: SourceCursor.ShardPosition) { (self.source, self.position) = (source, position) }
        package var bindings: [PostgresValue] {
            [.string(source), .string(position.streamARN), .string(position.shardID), .string(position.sequenceNumber), .bool(position.finished)]
        }
    }
}
