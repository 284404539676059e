import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailHTTP
import Testing

/// The Streams client against the local AWS emulator: a lock table's stream read back through
/// DescribeStream, GetShardIterator and GetRecords, and decoded by the core's stream rules.
@Suite("DynamoDB Streams against moto", .serialized)
struct DynamoDBStreamsIntegrationTests {
    static func lockRecord(id: String, path: String, created: String) -> String {
        #"{"ID":"\#(id)","Operation":"OperationTypePlan","Info":"","Who":"alice@build-01","Version":"1.11.4","Created":"\#(created)","Path":"\#(path)"}"#
    }

    @Test("a terraform lock and digest on a stream-enabled table come back as records and decode to its events")
    func lockLifecycle() async throws {
        try await withMoto { moto in
            let dynamo = try PushFixtures.dynamoDB(moto)
            let streams = try PushFixtures.streams(moto)
            let table = "locks-\(UUID().uuidString.prefix(8))"
            try await PushFixtures.createStreamTable(dynamo, table)

            let described = try await dynamo.describeTable(table)
            #expect(described.streamSpecification == DynamoDBStreamSpecification(enabled: true, viewType: .newAndOldImages))
            let streamARN = try #require(described.readableStreamARN)
            #expect(streamARN.hasPrefix(try #require(described.tableARN) + "/stream/"))
            #expect(described.latestStreamLabel != nil)

            // Acquire and release exactly as Terraform does, with a digest write and rewrite between.
            let path = "my-bucket/app/terraform.tfstate"
            let lockID = "f9763602-b03f-e35c-da30-4083cdbb99ae"
            let created = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)
            let info = Self.lockRecord(id: lockID, path: path, created: created.rfc3339)
            try await dynamo.putItem(
                table: table, item: ["LockID": .string(path), "Info": .string(info)],
                conditionExpression: "attribute_not_exists(LockID)")
            try await dynamo.putItem(table: table, item: ["LockID": .string(path + "-md5"), "Digest": .string("0cc175b9c0f1b6a831c399e269772661")])
            try await dynamo.putItem(table: table, item: ["LockID": .string(path + "-md5"), "Digest": .string("92eb5ffee6ae2fec3ad71c777531578f")])
            try await dynamo.deleteItem(table: table, key: ["LockID": .string(path)])

            // Shards, one page at a time (the paginator follows LastEvaluatedShardId).
            let shards = try await streams.allShards(streamARN: streamARN, pageLimit: 1)
            #expect(shards.count == 1)
            let shard = try #require(shards.first)
            #expect(shard.parentShardID == nil)
            #expect(!shard.isClosed)
            #expect(shard.startingSequenceNumber != nil)

            let iterator = try await streams.getShardIterator(streamARN: streamARN, shardID: shard.shardID, position: .trimHorizon)
            let page = try await streams.getRecords(shardIterator: iterator, resource: streamARN)
            #expect(page.records.map(\.eventName) == ["INSERT", "INSERT", "MODIFY", "REMOVE"])
            #expect(page.nextShardIterator != nil)
            let numbers = page.records.map(\.sequenceNumber)
            #expect(zip(numbers, numbers.dropFirst()).allSatisfy { StreamShardLineage.compare($0, $1) == .orderedAscending })
            #expect(page.records.allSatisfy { $0.viewType == .newAndOldImages && $0.eventID != nil })
            // The emulator stamps milliseconds (AWS: whole seconds), around the time of the writes.
            let stamp = try #require(page.records[0].approximateCreationSeconds)
            #expect(abs(stamp - created.secondsSinceEpoch) < 60)
            #expect(page.records[0].newImage?["Info"]?.stringValue == info)
            #expect(page.records[0].oldImage == nil)
            #expect(page.records[3].oldImage?["Info"]?.stringValue == info)
            #expect(page.records[3].newImage == nil)
            #expect(page.records[2].oldImage?["Digest"] == .string("0cc175b9c0f1b6a831c399e269772661"))

            // Decoded, they are the events a scan builds: acquire, write, write, release.
            let rules = LockTableStreamRules(source: "dynamodb:us-east-1/\(table)", table: table)
            let observedAt = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)
            let events = page.records.flatMap {
                rules.events(for: PushFixtures.streamRecord($0, streamARN: streamARN, shardID: shard.shardID), observedAt: observedAt)
            }
            #expect(events.map(\.kind) == [.lockAcquired, .stateWritten, .stateWritten, .lockReleased])
            #expect(events.allSatisfy { $0.mechanism == .dynamodb && $0.state == path })
            #expect(events[0].lockID == lockID && events[3].lockID == lockID)
            #expect(events[2].details["previous_digest"] == "0cc175b9c0f1b6a831c399e269772661")
            let second = try #require(LockTableStreamRules.bounds(approximateCreationSeconds: stamp))
            if let earliest = second.earliest, created >= earliest, created <= second.latest {
                #expect(events[0].time == .exact(created))
                #expect(events[0].details["time_basis"] == "created")
            } else {
                #expect(events[0].time == second)  // Created fell in the second before the write
            }
            let releaseStamp = try #require(page.records[3].approximateCreationSeconds)
            #expect(events[3].time == LockTableStreamRules.bounds(approximateCreationSeconds: releaseStamp))
            #expect(events[3].time.precision == "second")
            #expect(Set(events.map(\.key)).count == 4)

            // Resuming: after a sequence number, at one, and from the end.
            let after = try await streams.getShardIterator(streamARN: streamARN, shardID: shard.shardID, position: .afterSequenceNumber(numbers[1]))
            #expect(try await streams.getRecords(shardIterator: after).records.map(\.sequenceNumber) == Array(numbers[2...]))
            let at = try await streams.getShardIterator(streamARN: streamARN, shardID: shard.shardID, position: .atSequenceNumber(numbers[3]))
            #expect(try await streams.getRecords(shardIterator: at).records.map(\.sequenceNumber) == [numbers[3]])
            let latest = try await streams.getShardIterator(streamARN: streamARN, shardID: shard.shardID, position: .latest)
            let empty = try await streams.getRecords(shardIterator: latest)
            #expect(empty.records.isEmpty)
            try await dynamo.putItem(table: table, item: ["LockID": .string(path), "Info": .string(info)])
            let next = try await streams.getRecords(shardIterator: try #require(empty.nextShardIterator))
            #expect(next.records.map(\.eventName) == ["INSERT"])

            // A stream that does not exist is a typed error naming it.
            let missing = await #expect(throws: AWSError.self) {
                _ = try await streams.describeStream(streamARN: "arn:aws:dynamodb:us-east-1:123456789012:table/absent/stream/2026-01-01T00:00:00.000")
            }
            #expect(missing?.code == .resourceNotFound)
        }
    }

    @Test("a table whose stream has another view is described, but offers no stream to read")
    func keysOnlyView() async throws {
        try await withMoto { moto in
            let dynamo = try PushFixtures.dynamoDB(moto)
            try await PushFixtures.createStreamTable(dynamo, "keys-only", viewType: .keysOnly)
            let described = try await dynamo.describeTable("keys-only")
            #expect(described.streamSpecification?.viewType == .keysOnly)
            #expect(described.latestStreamARN != nil)
            #expect(described.readableStreamARN == nil)
            try await dynamo.createTable("no-stream")
            let plain = try await dynamo.describeTable("no-stream")
            #expect(plain.readableStreamARN == nil)
        }
    }
}
