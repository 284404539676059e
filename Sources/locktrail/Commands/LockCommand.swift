import ArgumentParser
import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailCore
import LocktrailHTTP
import LocktrailStore
import LocktrailWrapper

/// `locktrail lock`: a maintenance lock that terraform itself respects (a change freeze).
struct LockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Freeze a state: take its lock the way terraform does, with the reason in the lock's Info.",
        discussion: """
            Writes a valid lock record (Operation locktrail-maintenance, Who you, Info the reason and
            expiry) to the S3 lock file <key>.tflock with If-None-Match: * and/or the DynamoDB lock
            table with attribute_not_exists(LockID) — whichever the state uses, as locktrail saw it,
            or as --dynamodb-table/--lockfile say. Every terraform run on the state is then refused
            and prints the reason. --release removes it (only while it still holds this record); the
            collector watching the table or bucket removes it when --ttl runs out. Every step is
            recorded (lock.maintenance_locked, _refused, _released, _expired). Exit codes: 0 done
            (or would be, with --dry-run), 3 --release found no maintenance lock on the state,
            5 the state is held by another lock (nothing taken).
            """)

    @OptionGroup var db: DatabaseOptions

    @Option(name: .long, help: ArgumentHelp("The state, by its lock path.", valueName: "bucket/key"))
    var state: String

    @Option(name: .long, help: "Why the state is frozen: terraform prints it to everyone refused.")
    var reason: String?

    @Option(name: .long, help: "Remove the lock after this long (default 2h; the collector removes it).")
    var ttl: String = "2h"

    @Option(name: .customLong("dynamodb-table"), help: "The DynamoDB lock table (default: where locktrail saw this state).")
    var dynamoDBTable: String?

    @Flag(name: .long, help: "Use the S3 lock file <key>.tflock (default: if locktrail saw one).")
    var lockfile = false

    @Flag(name: .long, help: "Remove this state's maintenance lock instead.")
    var release = false

    @Flag(name: .long, help: "Show what would be done; change nothing.")
    var dryRun = false

    func validate() throws {
        guard StateIdentity(lockPath: state) != nil else { throw ValidationError("--state takes BUCKET/KEY, the lock path terraform prints") }
        if !release {
            guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--reason must say why the state is frozen (terraform prints it)")
            }
        }
        guard TimeExpression.duration(ttl, bareNumberIsSeconds: false) != nil else {
            throw ValidationError("--ttl takes a duration such as 30m or 2h")
        }
    }

    func run() async throws {
        let store = try await db.openCurrentStore(maxConnections: 2)
        let actor = LocalIdentity.who(ProcessInfo.processInfo.environment)
        let aws = try AWSConfiguration.resolve()
        let transport = CurlHTTPClient()
        let credentials = DefaultCredentialsProvider(configuration: aws, transport: transport)
        let locker = MaintenanceLocker(
            dynamoDB: try? DynamoDBClient(configuration: aws, credentials: credentials, transport: transport),
            s3: S3Client(configuration: aws, credentials: credentials, transport: transport))
        if release {
            try await releaseLock(store: store, locker: locker, actor: actor)
            return
        }

        let policy = MaintenancePolicy(
            state: state, reason: reason!, actor: actor, ttl: TimeExpression.duration(ttl)!,
            dynamoDBTable: dynamoDBTable, lockfile: lockfile, region: aws.region)
        guard let target = policy.target(sightings: try await store.maintenance.sightings(ofState: state)) else {
            throw ValidationError("locktrail never saw how \(state) is locked: say where with --dynamodb-table NAME and/or --lockfile")
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = generator.next() }
        let lock = policy.lock(now: Self.now, randomBytes: bytes)
        let places = target.mechanisms.map {
            $0 == "dynamodb" ? "DynamoDB table \(target.table!)" : "lock file \(StateIdentity(lockPath: state)!.lockFileKey)"
        }
        if dryRun {
            print("dry run: would lock \(state) in \(places.joined(separator: " and ")) until \(lock.expires.rfc3339)")
            print("  record  \(lock.record)")
            return
        }
        switch try await locker.acquire(lock, target: target) {
        case .held(let mechanism, let holder, _):
            _ = try await store.events.append([policy.refusedEvent(target: target, holder: holder, mechanism: mechanism, at: Self.now)])
            print(
                "refused: \(state) is held (\(mechanism)) by lock \(holder?.id ?? "?") — \(holder?.who ?? "?") running \(holder?.operation ?? "?") since \(holder?.createdText ?? "?"); nothing taken"
            )
            throw ExitCode(5)
        case .locked:
            do {
                _ = try await store.events.append([policy.lockedEvent(lock, target: target, at: Self.now)])
            } catch {
                // A lock the log does not know could be neither released by `--release` nor expired by
                // the collector: give it back, then report.
                _ = try? await locker.release(OpenMaintenanceLock(lock: lock, target: target))
                Terminal.note("could not record the maintenance lock, so it was removed again: \(error)")
                throw ExitCode(1)
            }
            print("locked \(state) for maintenance in \(places.joined(separator: " and "))")
            print("  lock id  \(lock.id)")
            print("  reason   \(lock.reason)")
            print("  expires  \(lock.expires.rfc3339) (removed by the collector watching it; or: locktrail lock --release --state \(state))")
        }
    }

    private func releaseLock(store: Store, locker: MaintenanceLocker, actor: String) async throws {
        let open = try await store.maintenance.open(state: state)
        guard !open.isEmpty else {
            print("no maintenance lock is in place on \(state) (per the event log)")
            throw ExitCode(3)
        }
        for lock in open {
            if dryRun {
                print(
                    "dry run: would release maintenance lock \(lock.lock.id) (\(lock.lock.reason)) from \(lock.target.mechanisms.joined(separator: " and "))"
                )
                continue
            }
            let (removed, gone) = try await locker.release(lock)
            _ = try await store.events.append([lock.endEvent(.maintenanceReleased, by: actor, removed: removed, gone: gone, at: Self.now)])
            print(
                "released maintenance lock \(lock.lock.id) on \(state)"
                    + (removed.isEmpty ? "" : " from \(removed.joined(separator: " and "))")
                    + (gone.isEmpty ? "" : "; already gone from \(gone.joined(separator: " and "))"))
        }
    }

    static var now: Timestamp { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }
}
