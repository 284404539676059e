import LocktrailAWS
import LocktrailCore

/// The stream could not be read on from where it stopped: its records are gone.
struct StreamUnresumableError: Error, CustomStringConvertible {
    /// Why, in words for the coverage gap.
    var reason: String
    var description: String { "the stream cannot be resumed: \(reason)" }
}

/// Reads a lock table's stream: its shards in lineage order (a parent read to its end before its
/// children), each after its committed position, holding the shard iterators between reads so a
/// quiet stream costs one GetRecords per shard per read. An expired iterator (15 minutes) is
/// renewed after the last sequence number read — not a gap; trimmed records are
/// `StreamUnresumableError`. After a failed commit, `reset()` forgets the iterators, so the next
/// read starts from the committed positions again.
actor DynamoDBStreamReader {
    private let client: DynamoDBStreamsClient
    /// The next iterator of each shard, with the position it continues after and that record's stamp.
    private var iterators: [String: (iterator: String, after: String?, stamp: Double?)] = [:]
    private var streamARN: String?
    private var shards: [StreamShard] = []
    private var shardsListedAt: Double?
    /// Records per read: a read's events are one commit.
    let budget: Int

    init(client: DynamoDBStreamsClient, budget: Int = 10_000) {
        self.client = client
        self.budget = max(1, budget)
    }

    /// Forgets the iterators and the shard list.
    func reset() {
        iterators = [:]
        shardsListedAt = nil
    }

    /// Reads every ready shard of `streamARN` to its current end (or the budget), after the
    /// positions of `stored` (nil: every shard from its oldest record). `now` is the clock.
    func read(streamARN: String, stored: StreamCheckpoint?, now: @Sendable () -> Timestamp) async throws -> StreamReading {
        if self.streamARN != streamARN {
            reset()
            self.streamARN = streamARN
        }
        let positions = stored?.streamARN == streamARN ? stored?.positions ?? [:] : [:]
        var finished = stored?.streamARN == streamARN ? stored?.finished ?? [] : []
        // DescribeStream is paged and slow on a big stream: list shards once a minute, or when a
        // shard finished (its children appear).
        let clock = now().secondsSinceEpoch
        if shardsListedAt.map({ clock - $0 > 60 }) ?? true {
            shards = try await client.allShards(streamARN: streamARN).map {
                StreamShard(
                    id: $0.shardID, parentID: $0.parentShardID, startingSequenceNumber: $0.startingSequenceNumber,
                    endingSequenceNumber: $0.endingSequenceNumber)
            }
            shardsListedAt = clock
        }
        var lineage = StreamShardLineage(shards: shards)
        if let stored, stored.streamARN == streamARN, let lost = StreamResumption.lostShards(stored: stored, lineage: lineage) {
            throw StreamUnresumableError(reason: lost)
        }
        var result: [StreamReading.Shard] = []
        var total = 0
        var hasMore = false
        var visited: Set<String> = []
        // A shard that finishes makes its children ready: go round until nothing new is ready.
        while true {
            let ready = lineage.ready(finished: finished).filter { !visited.contains($0) }
            guard let id = ready.first else { break }
            visited.insert(id)
            let shard = lineage.shards.first { $0.id == id }
            let read = try await readShard(streamARN: streamARN, shard: id, after: positions[id], budget: budget - total)
            total += read.records.count
            var part = read
            if part.finished, part.last == nil { part.last = shard?.endingSequenceNumber ?? shard?.startingSequenceNumber ?? "0" }
            result.append(part)
            if part.finished {
                finished.insert(id)
                // Children of a closed shard may not be listed yet.
                shards = try await client.allShards(streamARN: streamARN).map {
                    StreamShard(
                        id: $0.shardID, parentID: $0.parentShardID, startingSequenceNumber: $0.startingSequenceNumber,
                        endingSequenceNumber: $0.endingSequenceNumber)
                }
                shardsListedAt = now().secondsSinceEpoch
                lineage = StreamShardLineage(shards: shards)
            }
            if total >= budget {
                hasMore = true
                break
            }
        }
        return StreamReading(streamARN: streamARN, shards: result, completed: now(), hasMore: hasMore)
    }

    /// Reads one shard after `after` until it has nothing more now, it ends, or `budget` records.
    private func readShard(streamARN: String, shard: String, after: String?, budget: Int) async throws -> StreamReading.Shard {
        var records: [LockTableStreamRecord] = []
        var last = after
        var finished = false
        let cached = iterators[shard].flatMap { $0.after == after ? $0 : nil }
        var iterator: String? = cached?.iterator
        let previousStamp = cached?.stamp
        var stamp = previousStamp
        var renewed = false
        while records.count < budget {
            if iterator == nil { iterator = try await newIterator(streamARN: streamARN, shard: shard, after: last) }
            let page: DynamoDBStreamRecordsPage
            do {
                page = try await client.getRecords(shardIterator: iterator!, limit: min(1000, budget - records.count), resource: streamARN)
            } catch let error as AWSError where error.code == .expiredIterator && !renewed {
                // 15 minutes old: a new one after the last record read loses nothing.
                renewed = true
                iterator = nil
                continue
            } catch let error as AWSError where error.code == .trimmedDataAccess {
                throw StreamUnresumableError(
                    reason: "records of shard \(shard) after \(last ?? "its start") are past the 24-hour retention (TrimmedDataAccessException)")
            }
            renewed = false
            for record in page.records {
                records.append(Self.record(record, streamARN: streamARN, shardID: shard))
                last = record.sequenceNumber
                stamp = record.approximateCreationSeconds
            }
            iterator = page.nextShardIterator
            if iterator == nil {
                finished = true
                break
            }
            if page.records.isEmpty { break }
        }
        if let iterator { iterators[shard] = (iterator, last, stamp) } else { iterators[shard] = nil }
        return StreamReading.Shard(
            id: shard, records: records, previous: after, last: last, finished: finished,
            previousRecordSeconds: previousStamp)
    }

    private func newIterator(streamARN: String, shard: String, after: String?) async throws -> String {
        do {
            return try await client.getShardIterator(
                streamARN: streamARN, shardID: shard, position: after.map { .afterSequenceNumber($0) } ?? .trimHorizon)
        } catch let error as AWSError where error.code == .trimmedDataAccess {
            throw StreamUnresumableError(
                reason: "the records of shard \(shard) after \(after ?? "its start") are past the 24-hour retention (TrimmedDataAccessException)")
        }
    }

    /// A record without AWS types.
    static func record(_ record: DynamoDBStreamRecord, streamARN: String, shardID: String) -> LockTableStreamRecord {
        LockTableStreamRecord(
            streamARN: streamARN, shardID: shardID, sequenceNumber: record.sequenceNumber, eventID: record.eventID,
            eventName: record.eventName, approximateCreationSeconds: record.approximateCreationSeconds,
            keys: DynamoDBLockTableSource.lockTableItem(record.keys), newImage: record.newImage.map(DynamoDBLockTableSource.lockTableItem),
            oldImage: record.oldImage.map(DynamoDBLockTableSource.lockTableItem), principal: record.userIdentityPrincipal)
    }
}
