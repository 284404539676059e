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
        guard Self.seconds(minAge) != nil, Self.seconds(aliveWithin) != nil else { throw ValidationError("--min-age and --alive-within take durations such as 15m or 2h") }
    }

    static func seconds(_ text: String) -> Double? {
        text == "0" || text == "0s" ? 0 : TimeExpression.duration(text)
    }

    func run() async throws {
        let target = StateIdentity(lockPath: state)!
        let store = try await db.openCurrentStore(maxConnections: 2)
        let (lockID, stateName) = (self.lockID, self.state)

        // Where was this lock seen? That says which mechanisms to check.
        let sightings = try await store.answers.sightings(ofLock: lockID)
        // A lock ID belongs to the state where it was seen: removing "it" from another state would
        // remove someone else's lock, or nothing.
        if let seen = sightings.last?.state, seen != stateName {
            print("refused: lock \(lockID) was seen on \(seen), not on \(stateName); nothing removed")
            throw ExitCode(2)
        }
        let table = dynamoDBTable ?? sightings.first { $0.mechanism == "dynamodb" }?.table
        let useLockfile = lockfile || sightings.contains { $0.mechanism == "s3-lockfile" }
        guard table != nil || useLockfile else {
            throw ValidationError("locktrail never saw lock \(lockID): say where it is with --dynamodb-table NAME and/or --lockfile")
        }

        let aws = try AWSConfiguration.resolve()
        let transport = CurlHTTPClient()
        let credentials = DefaultCredentialsProvider(configuration: aws, transport: transport)

        // Read the lock as it is now, from every mechanism.
        var holders: [(mechanism: String, record: LockRecord, raw: String)] = []
        var dynamo: DynamoDBClient?
        if let table {
            let client = try DynamoDBClient(configuration: aws, credentials: credentials, transport: transport)
            dynamo = client
            if let item = try await client.getItem(table: table, key: ["LockID": .string(target.lockPath)]),
               case .string(let info)? = item["Info"] {
                if let record = LockRecordParse.parse(Array(info.utf8)).record { holders.append(("dynamodb", record, info)) }
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
                    holders.append(("s3-lockfile", record, body))
                    lockFileETag = object.eTag
                }
            } catch let error as AWSError where error.code == .noSuchKey || error.statusCode == 404 {
                // no lock file
            }
        }
        guard let holder = holders.first else {
            print("no lock is held on \(stateName) now (checked: \([table.map { "DynamoDB table \($0)" }, useLockfile ? "lock file \(target.lockFileKey)" : nil].compactMap { $0 }.joined(separator: ", ")))")
            try await record(store: store, outcome: "not_found", mechanisms: [], holder: nil)
            throw ExitCode(3)
        }
        guard holders.allSatisfy({ $0.record.id == lockID }) else {
            let other = holders.first { $0.record.id != lockID }!.record
            print("\(stateName) is held by another lock: \(other.id) (\(other.who ?? "?"), \(other.operation ?? "?")); nothing removed")
            try await record(store: store, outcome: "held_by_other", mechanisms: [], holder: other)
            throw ExitCode(3)
        }

        let now = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)
        let age = holder.record.created.map { now.secondsSinceEpoch - $0.secondsSinceEpoch }
        let since = now.adding(seconds: -Self.seconds(aliveWithin)!)
        let alive = try await store.answers.liveRuns(on: stateName, since: since, now: now)
            .map { ($0.runID, $0.who, $0.lastSeen?.rfc3339) }
            .filter { $0.1 == nil || $0.1 == holder.record.who }
        print("lock \(lockID) on \(stateName)")
        print("  held by   \(holder.record.who ?? "?") running \(holder.record.operation ?? "?") (terraform \(holder.record.version ?? "?"))")
        print("  created   \(holder.record.createdText ?? "?")\(age.map { " (\(Self.describe($0)) ago)" } ?? "")")
        print("  in        \(holders.map(\.mechanism).joined(separator: " and "))")
        print("  holder    \(alive.isEmpty ? "no live wrapped run seen" : "ALIVE: run \(alive[0].0), last heard from \(alive[0].2 ?? "?")")")

        var refusal: String?
        if let age, age < Self.seconds(minAge)! { refusal = "the lock is only \(Self.describe(age)) old (under --min-age \(minAge))" }
        if !alive.isEmpty { refusal = "its holder's run is still alive" }
        if let refusal, !force {
            print("refused: \(refusal); pass --force to remove it anyway")
            try await record(store: store, outcome: "refused", mechanisms: holders.map(\.mechanism), holder: holder.record, note: refusal)
            throw ExitCode(2)
        }
        if dryRun {
            print("dry run: would remove it from \(holders.map(\.mechanism).joined(separator: " and "))")
            return
        }

        // Lock file first, then DynamoDB: terraform's own release order.
        var removed: [String] = []
        if let s3, let lockFileETag {  // set only when the lock file is one of the holders
            // Only the lock file that was read and checked: S3 refuses the delete (412) if it was
            // replaced since, and answers 404 if it is gone; either way nothing is removed.
            do {
                try await s3.deleteObject(bucket: target.bucket, key: target.lockFileKey, ifMatch: lockFileETag)
            } catch let error as AWSError where error.code == .preconditionFailed || error.code == .noSuchKey || error.statusCode == 404 {
                print("the lock file changed meanwhile; nothing removed")
                try await record(store: store, outcome: "changed", mechanisms: removed, holder: holder.record)
                throw ExitCode(3)
            }
            removed.append("s3-lockfile")
        }
        if let dynamo, let table, let entry = holders.first(where: { $0.mechanism == "dynamodb" }) {
            do {
                _ = try await dynamo.deleteItem(
                    table: table, key: ["LockID": .string(target.lockPath)], conditionExpression: "#info = :info",
                    expressionAttributeNames: ["#info": "Info"], expressionAttributeValues: [":info": .string(entry.raw)])
                removed.append("dynamodb")
            } catch let error as AWSError where error.code == .conditionalCheckFailed {
                print("the DynamoDB lock changed meanwhile; it was not removed")
                try await record(store: store, outcome: "changed", mechanisms: removed, holder: holder.record)
                throw ExitCode(3)
            }
        }
        try await record(store: store, outcome: "removed", mechanisms: removed, holder: holder.record, note: refusal.map { "forced past: \($0)" })
        print("removed lock \(lockID) from \(removed.joined(separator: " and ")); recorded as lock.force_unlocked")
    }

    /// Appends the attempt to the event log.
    private func record(store: Store, outcome: String, mechanisms: [String], holder: LockRecord?, note: String? = nil) async throws {
        let now = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)
        let actor = LocalIdentity.who(ProcessInfo.processInfo.environment)
        var details: [String: JSONValue] = [
            "actor": .string(actor), "reason": .string(reason), "outcome": .string(outcome),
            "mechanisms": .array(mechanisms.map(JSONValue.string)), "forced": .bool(force), "tool": "locktrail unlock",
        ]
        if let holder { details["holder"] = .object(holder.eventDetails) }
        if let note { details["note"] = .string(note) }
        let event = Event(
            key: "unlock|\(lockID)|\(now.microseconds)", kind: .lockForceUnlocked, source: "locktrail-unlock", mechanism: nil,
            time: .exact(now), observedAt: now, lockID: lockID, state: state,
            workspace: StateIdentity(lockPath: state)?.workspace, details: .object(details))
        _ = try await store.events.append([event])
    }

    static func describe(_ seconds: Double) -> String {
        switch seconds {
        case ..<120: return "\(Int(seconds))s"
        case ..<7200: return "\(Int(seconds / 60))m"
        case ..<172_800: return "\(Int(seconds / 3600))h"
        default: return "\(Int(seconds / 86400))d"
        }
    }
}
