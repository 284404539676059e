import ArgumentParser
import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailHTTP
import LocktrailStore
import LocktrailWrapper

/// `locktrail unlock`: a guarded, recorded force-unlock.
struct UnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Remove a stale lock safely: check it, say who holds it, remove only that lock, and record it.",
        discussion: """
            Shows the holder, the lock's age and whether the holder's wrapped run is still alive
            (heard from within --alive-within, or within 2.5 of its own heartbeat intervals). Refuses a lock younger than --min-age or whose
            run is alive, unless --force. Removes the lock only if it still carries --lock-id: a
            conditional delete on DynamoDB (the item must still hold the same record) and on
            S3 (If-Match: the lock file must still have the ETag it was read with). Every attempt is recorded in the event log as
            lock.force_unlocked with actor, reason and outcome. Exit codes: 0 removed (or would
            be, with --dry-run), 2 refused (also when the lock was seen on another state than --state), 3 not found or held by another lock.
            """)

    @OptionGroup var db: DatabaseOptions

    @Option(name: .long, help: ArgumentHelp("The state, by its lock path.", valueName: "bucket/key"))
    var state: String

    @Option(name: .customLong("lock-id"), help: "The lock ID to remove (as terraform printed it).")
    var lockID: String

    @Option(name: .long, help: "Why: recorded with the removal.")
    var reason: String

    @Option(name: .customLong("dynamodb-table"), help: "The DynamoDB lock table (default: where locktrail saw this lock).")
    var dynamoDBTable: String?

    @Flag(name: .long, help: "Also (or only) the S3 lock file <key>.tflock (default: if locktrail saw one).")
    var lockfile = false

    @Option(name: .long, help: "Refuse locks younger than this (default 15m).")
    var minAge: String = "15m"

    @Option(name: .long, help: "A heartbeat this recent means the holder is alive (default 2m).")
    var aliveWithin: String = "2m"

    @Flag(name: .long, help: "Remove even a young lock or one whose run is alive.")
    var force = false

    @Flag(name: .long, help: "Show what would be done; change nothing.")
    var dryRun = false

    func validate() throws {
        guard StateIdentity(lockPath: state) != nil else { throw ValidationError("--state takes BUCKET/KEY, the lock path terraform prints") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must say why the lock is removed") }
        guard Self.seconds(minAge) != nil, Self.seconds(aliveWithin) != nil else {
            throw ValidationError("--min-age and --alive-within take durations such as 15m or 2h")
        }
    }

    static func seconds(_ text: String) -> Double? {
        text == "0" || text == "0s" ? 0 : TimeExpression.duration(text)
    }

    func run() async throws {
        let target = StateIdentity(lockPath: state)!
        let store = try await db.openCurrentStore(maxConnections: 2)
        let policy = UnlockPolicy(
            state: state, lockID: lockID, reason: reason, actor: LocalIdentity.who(ProcessInfo.processInfo.environment),
            dynamoDBTable: dynamoDBTable, lockfile: lockfile, minAge: Self.seconds(minAge)!, minAgeText: minAge,
            aliveWithin: Self.seconds(aliveWithin)!, force: force, dryRun: dryRun)

        // Where was this lock seen? That says which mechanisms to check.
        let table: String?, useLockfile: Bool
        switch policy.lookup(sightings: try await store.answers.sightings(ofLock: lockID)) {
        case .check(let named, let withLockfile):
            (table, useLockfile) = (named, withLockfile)
        case .seenOnAnotherState(let seen):
            print("refused: lock \(lockID) was seen on \(seen), not on \(state); nothing removed")
            throw ExitCode(UnlockOutcome.refused.exitCode)
        case .unknown:
            throw ValidationError("locktrail never saw lock \(lockID): say where it is with --dynamodb-table NAME and/or --lockfile")
        }

        let aws = try AWSConfiguration.resolve()
        let transport = CurlHTTPClient()
        let credentials = DefaultCredentialsProvider(configuration: aws, transport: transport)

        // Read the lock as it is now, from every mechanism.
        var holders: [UnlockHolder] = []
        var dynamo: DynamoDBClient?
        if let table {
            let client = try DynamoDBClient(configuration: aws, credentials: credentials, transport: transport)
            dynamo = client
            if let item = try await client.getItem(table: table, key: ["LockID": .string(target.lockPath)]),
                case .string(let info)? = item["Info"]
            {
                if let record = LockRecordParse.parse(Array(info.utf8)).record {
                    holders.append(UnlockHolder(mechanism: .dynamodb, record: record, raw: info))
                }
            }
        }
        var s3: S3Client?
        var lockFileETag: String?
        if useLockfile {
            let client = S3Client(configuration: aws, credentials: credentials, transport: transport)
            s3 = client
            do {
                let object = try await client.getObject(bucket: target.bucket, key: target.lockFileKey)
                let body = String(decoding: object.body, as: UTF8.self)
                if let record = LockRecordParse.parse(object.body).record {
                    holders.append(UnlockHolder(mechanism: .s3Lockfile, record: record, raw: body))
                    lockFileETag = object.eTag
                }
            } catch let error as AWSError where error.code == .noSuchKey || error.statusCode == 404 {
                // no lock file
            }
        }

        let now = Self.now
        let liveRuns = holders.isEmpty ? [] : try await store.answers.liveRuns(on: state, since: policy.aliveSince(now: now), now: now)
        let assessment: UnlockAssessment
        switch policy.decide(holders: holders, liveRuns: liveRuns, now: now) {
        case .notFound(let event):
            print(
                "no lock is held on \(state) now (checked: \([table.map { "DynamoDB table \($0)" }, useLockfile ? "lock file \(target.lockFileKey)" : nil].compactMap { $0 }.joined(separator: ", ")))"
            )
            try await finish(.notFound, recording: event, in: store)
        case .heldByOther(let other, let event):
            print("\(state) is held by another lock: \(other.id) (\(other.who ?? "?"), \(other.operation ?? "?")); nothing removed")
            try await finish(.heldByOther, recording: event, in: store)
        case .refuse(let found, let refusal, let event):
            show(found)
            print("refused: \(refusal); pass --force to remove it anyway")
            try await finish(.refused, recording: event, in: store)
        case .dryRun(let found):
            show(found)
            print("dry run: would remove it from \(found.mechanisms.map(\.rawValue).joined(separator: " and "))")
            return
        case .remove(let found):
            show(found)
            assessment = found
        }

        // Lock file first, then DynamoDB: terraform's own release order.
        var removed: [Mechanism] = []
        for mechanism in assessment.removalOrder {
            switch mechanism {
            case .s3Lockfile:
                guard let s3, let lockFileETag else { continue }  // set only when the lock file is one of the holders
                // Only the lock file that was read and checked: S3 refuses the delete (412) if it was
                // replaced since, and answers 404 if it is gone; either way nothing is removed.
                do {
                    try await s3.deleteObject(bucket: target.bucket, key: target.lockFileKey, ifMatch: lockFileETag)
                } catch let error as AWSError where error.code == .preconditionFailed || error.code == .noSuchKey || error.statusCode == 404 {
                    print("the lock file changed meanwhile; nothing removed")
                    try await finish(.changed, recording: policy.removalEvent(assessment, removed: removed, changed: true, at: Self.now), in: store)
                }
            case .dynamodb:
                guard let dynamo, let table, let entry = assessment.holders.first(where: { $0.mechanism == .dynamodb }) else { continue }
                do {
                    _ = try await dynamo.deleteItem(
                        table: table, key: ["LockID": .string(target.lockPath)], conditionExpression: "#info = :info",
                        expressionAttributeNames: ["#info": "Info"], expressionAttributeValues: [":info": .string(entry.raw)])
                } catch let error as AWSError where error.code == .conditionalCheckFailed {
                    print("the DynamoDB lock changed meanwhile; it was not removed")
                    try await finish(.changed, recording: policy.removalEvent(assessment, removed: removed, changed: true, at: Self.now), in: store)
                }
            case .s3State, .hook:
                continue  // never a holder of a lock
            }
            removed.append(mechanism)
        }
        _ = try await store.events.append([policy.removalEvent(assessment, removed: removed, changed: false, at: Self.now)])
        print("removed lock \(lockID) from \(removed.map(\.rawValue).joined(separator: " and ")); recorded as lock.force_unlocked")
    }

    /// Prints the lock, its age and whether its holder is alive.
    private func show(_ found: UnlockAssessment) {
        let record = found.holder.record
        print("lock \(lockID) on \(state)")
        print("  held by   \(record.who ?? "?") running \(record.operation ?? "?") (terraform \(record.version ?? "?"))")
        print("  created   \(record.createdText ?? "?")\(found.age.map { " (\(UnlockPolicy.describe($0)) ago)" } ?? "")")
        print("  in        \(found.mechanisms.map(\.rawValue).joined(separator: " and "))")
        let alive = found.liveRuns.first
        print("  holder    \(alive.map { "ALIVE: run \($0.runID), last heard from \($0.lastSeen?.rfc3339 ?? "?")" } ?? "no live wrapped run seen")")
    }

    /// Records the attempt and exits with the outcome's code.
    private func finish(_ outcome: UnlockOutcome, recording event: Event, in store: Store) async throws -> Never {
        _ = try await store.events.append([event])
        throw ExitCode(outcome.exitCode)
    }

    static var now: Timestamp { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }
}
