import LocktrailCore

/// Generates the history of many states at once, deterministically, in the shapes the real
/// sources produce (the scale benchmark, Benchmarks/README.md "Scale"): each run of terraform is
/// a wrapper's `run.started` (`HookEvent`, as `POST /v1/hooks/events` stores it), the lock's
/// acquire as its backend's source records it — a DynamoDB scan (`LockTableDiff`: exact at
/// `Created`) for 60% of the states, an S3 lock-file listing (`LockFileDiff`: exact at
/// `LastModified`) for the rest —, for applies the state write (the table's digest item and the
/// bucket's `state.written`), the release within the scan's bounds, and the wrapper's
/// `run.finished` naming the lock. A few runs are blocked (`lock.contended`) or end in a
/// `force-unlock` (`lock.force_unlocked` from the other user's wrapper, then the release).
///
/// Runs of different states interleave in time (one event every 5–50 ms, about 3.5 days for
/// 10,000,000 events); each state runs one command at a time. About 4.6 events per run.
struct ScaleEventGenerator {
    private enum Step { case start, acquire, write, release }

    private struct Run {
        var id: String
        var lockID: String
        var record: LockRecord
        var info: String
        var apply: Bool
        var contended: Bool
        var forced: Bool
        var step: Step = .start
    }

    private struct StateSlot {
        var identity: StateIdentity
        var dynamoDB: Bool
        var runs = 0
        var run: Run?
        var digest: String?
        var serial = 0
        var lineage: String
    }

    static let table = "terraform-locks"
    static let dynamoDBSource = "dynamodb:us-east-1/terraform-locks"
    static let bucketSource = "s3:acme-tfstate"
    static let bucket = "acme-tfstate"
    private static let pollInterval: Int64 = 30_000_000
    private static let users = ["alice", "bob", "carol", "dave", "erin", "ci", "atlantis", "spacelift", "frank", "grace"]
    private static let versions = ["1.11.4", "1.10.5", "1.9.8", "1.5.7"]
    private static let hex = Array("0123456789abcdef".utf8)

    private var random: SplitMix64
    private var states: [StateSlot]
    /// Events generated beyond the last batch asked for (a step can yield two).
    private var pending: [Event] = []
    private(set) var clock: Int64
    let started: Timestamp

    init(seed: UInt64, stateCount: Int) {
        random = SplitMix64(seed: seed)
        started = Timestamp(parsing: "2025-03-01T00:00:00Z")!
        clock = started.microseconds
        let workspaces = ["default", "dev", "staging", "prod"]
        states = (0..<stateCount).map { n in
            let identity = StateIdentity(
                bucket: Self.bucket, baseKey: "team\(n % 100)/svc\(n / workspaces.count)/terraform.tfstate",
                workspace: workspaces[n % workspaces.count])
            let lineage = "5f0c2c1e-0000-4000-8000-" + String(String(0x1000_0000_0000 + n, radix: 16).suffix(12))
            return StateSlot(identity: identity, dynamoDB: n % 5 < 3, lineage: lineage)
        }
    }

    /// The lock path of state `n`, as queries name it.
    func lockPath(_ n: Int) -> String { states[n].identity.lockPath }

    /// The moment of the last event generated.
    var now: Timestamp { Timestamp(microsecondsSinceEpoch: clock) }

    /// The next `count` events, in chain order.
    mutating func next(_ count: Int) -> [Event] {
        var out = pending
        out.reserveCapacity(count + 1)
        while out.count < count { out += nextEvents() }
        pending = Array(out[count...])
        return Array(out[..<count])
    }

    /// One step of one state's run: usually one event, two for a force-unlock.
    private mutating func nextEvents() -> [Event] {
        clock += Int64.random(in: 5_000...50_000, using: &random)
        let index = Int.random(in: 0..<states.count, using: &random)
        var slot = states[index]
        defer { states[index] = slot }
        let now = Timestamp(microsecondsSinceEpoch: clock)
        // The scan that saw the change completed at the next poll; the one before started a poll earlier.
        let completed = Timestamp(microsecondsSinceEpoch: (clock / Self.pollInterval + 1) * Self.pollInterval + 812_345)
        let window = ScanWindow(
            previousStarted: completed.adding(microseconds: -Self.pollInterval - 1_000_000),
            started: completed.adding(microseconds: -1_000_000), completed: completed)
        guard var run = slot.run else {
            let run = makeRun(for: &slot, at: now)
            slot.run = run
            var out = [
                hook(
                    .runStarted, run: run, slot: slot, at: now, lockID: nil,
                    details: [
                        "command": .string(run.apply ? "apply" : "plan"), "ci": .bool(run.record.who?.hasPrefix("ci") == true),
                    ])
            ]
            if run.contended {
                out.append(
                    hook(
                        .lockContended, run: run, slot: slot, at: now.adding(seconds: 0.2), lockID: nil,
                        details: [
                            "holder_who": "someone@elsewhere", "holder_operation": "OperationTypeApply", "error": "ConditionalCheckFailedException",
                        ]))
            }
            return out
        }
        var out: [Event]
        switch run.step {
        case .start:
            run.step = .acquire
            out = [acquire(run, slot: slot, at: now, window: window)]
        case .acquire where run.apply:
            run.step = .write
            out = writes(&slot, run: run, at: now, window: window)
        case .acquire, .write:
            run.step = .release
            out = release(run, slot: slot, at: now, window: window)
        case .release:
            let code: Int64 = run.forced ? 1 : 0
            slot.run = nil
            return [
                hook(
                    .runFinished, run: run, slot: slot, at: now, lockID: run.lockID,
                    details: [
                        "exit_code": .int(code), "duration_seconds": .number(Double(Int.random(in: 5...900, using: &random))),
                    ])
            ]
        }
        slot.run = run
        return out
    }

    /// The release (preceded by the other user's force-unlock when the run was forced).
    private mutating func release(_ run: Run, slot: StateSlot, at now: Timestamp, window: ScanWindow) -> [Event] {
        var out: [Event] = []
        if run.forced {
            out.append(
                HookEvent(
                    id: uuid(), kind: .lockForceUnlocked, time: now.adding(seconds: -1), runID: uuid(),
                    state: slot.identity.lockPath, workspace: slot.identity.workspace, lockID: run.lockID,
                    details: ["actor": "oncall@laptop", "tool": "terraform force-unlock", "outcome": "unlocked"]
                )
                .event(receivedAt: now, ingestToken: "ci"))
        }
        out.append(releaseEvent(run, slot: slot, window: window))
        return out
    }

    private mutating func makeRun(for slot: inout StateSlot, at now: Timestamp) -> Run {
        slot.runs += 1
        let lockID = randomHex(8) + "-" + randomHex(4) + "-" + randomHex(4) + "-" + randomHex(4) + "-" + randomHex(12)
        let apply = Int.random(in: 0..<100, using: &random) < 45
        let who = Self.users.randomElement(using: &random)! + "@runner-\(Int.random(in: 1...64, using: &random)).ci.acme.internal"
        let created = String(now.adding(seconds: 0.3).rfc3339.dropLast()) + "123Z"
        let path = slot.identity.lockPath
        let info =
            "{\"ID\":\"\(lockID)\",\"Operation\":\"\(apply ? "OperationTypeApply" : "OperationTypePlan")\",\"Info\":\"\","
            + "\"Who\":\"\(who)\",\"Version\":\"\(Self.versions.randomElement(using: &random)!)\",\"Created\":\"\(created)\",\"Path\":\"\(path)\"}"
        guard case .record(let record) = LockRecordParse.parse(Array(info.utf8)) else { fatalError("generated an unreadable lock record") }
        let roll = Int.random(in: 0..<1000, using: &random)
        return Run(id: uuid(), lockID: lockID, record: record, info: info, apply: apply, contended: roll < 20, forced: roll >= 995)
    }

    private func hook(
        _ kind: EventKind, run: Run, slot: StateSlot, at time: Timestamp, lockID: String?,
        details: [String: JSONValue]
    ) -> Event {
        var d = details
        d["who"] = .string(run.record.who ?? "")
        d["host"] = "runner.ci.acme.internal"
        d["backend"] = .string(slot.dynamoDB ? "s3+dynamodb" : "s3")
        var uuid = run.id
        uuid.replaceSubrange(
            uuid.startIndex..<uuid.index(uuid.startIndex, offsetBy: 2), with: kind == .runStarted ? "a0" : kind == .runFinished ? "f0" : "c0")
        return HookEvent(
            id: uuid, kind: kind, time: time, runID: run.id, state: slot.identity.lockPath, workspace: slot.identity.workspace,
            lockID: lockID, details: d
        )
        .event(receivedAt: time.adding(seconds: 0.05), ingestToken: "ci")
    }

    private func acquire(_ run: Run, slot: StateSlot, at now: Timestamp, window: ScanWindow) -> Event {
        var details = run.record.eventDetails
        if slot.dynamoDB {
            details["time_basis"] = "created"
            return dynamoDB(
                .lockAcquired, key: "acquired|\(slot.identity.lockPath)|\(run.lockID)", time: .exact(run.record.created ?? now),
                window: window, slot: slot, lockID: run.lockID, details: details,
                raw: ["Info": ["S": .string(run.info)], "LockID": ["S": .string(slot.identity.lockPath)]])
        }
        // S3 lock file: LastModified is whole seconds in the listing.
        let modified = Timestamp(microsecondsSinceEpoch: (now.microseconds / 1_000_000) * 1_000_000)
        let etag = "\"" + String(run.lockID.filter { $0 != "-" }) + "\""
        details.merge(objectDetails(key: slot.identity.lockFileKey, etag: etag)) { own, _ in own }
        details.merge(scanDetails(window)) { own, _ in own }
        details["time_basis"] = "last_modified"
        return Event(
            key: "s3|\(Self.bucketSource)|acquired|\(slot.identity.lockFileKey)|\(run.lockID)", kind: .lockAcquired,
            source: Self.bucketSource, mechanism: .s3Lockfile, time: .exact(modified), observedAt: window.completed,
            lockID: run.lockID, state: slot.identity.lockPath, workspace: slot.identity.workspace, details: .object(details),
            raw: RawObservation.json(Array(run.info.utf8)))
    }

    private func releaseEvent(_ run: Run, slot: StateSlot, window: ScanWindow) -> Event {
        var details: [String: JSONValue] = ["reason": "disappeared"]
        details.merge(run.record.eventDetails) { own, _ in own }
        if slot.dynamoDB {
            return dynamoDB(
                .lockReleased, key: "released|\(slot.identity.lockPath)|\(run.lockID)", time: window.bounds,
                window: window, slot: slot, lockID: run.lockID, details: details, raw: nil)
        }
        let etag = "\"" + String(run.lockID.filter { $0 != "-" }) + "\""
        details.merge(objectDetails(key: slot.identity.lockFileKey, etag: etag)) { own, _ in own }
        details.merge(scanDetails(window)) { own, _ in own }
        return Event(
            key: "s3|\(Self.bucketSource)|released|\(slot.identity.lockFileKey)|\(run.lockID)", kind: .lockReleased,
            source: Self.bucketSource, mechanism: .s3Lockfile, time: window.bounds, observedAt: window.completed,
            lockID: run.lockID, state: slot.identity.lockPath, workspace: slot.identity.workspace, details: .object(details), raw: nil)
    }

    /// An apply's state write: the table's digest item (DynamoDB states) and the bucket's object.
    private mutating func writes(_ slot: inout StateSlot, run: Run, at now: Timestamp, window: ScanWindow) -> [Event] {
        slot.serial += 1
        var out: [Event] = []
        if slot.dynamoDB {
            let digest = randomHex(32)
            var details: [String: JSONValue] = ["digest": .string(digest)]
            if let previous = slot.digest { details["previous_digest"] = .string(previous) }
            slot.digest = digest
            out.append(
                dynamoDB(
                    .stateWritten, key: "written|\(slot.identity.lockPath)|\(digest)|\(window.completed.microseconds)",
                    time: window.bounds, window: window, slot: slot, lockID: nil, details: details,
                    raw: ["Digest": ["S": .string(digest)], "LockID": ["S": .string(slot.identity.digestLockID)]]))
        }
        let modified = Timestamp(microsecondsSinceEpoch: (now.microseconds / 1_000_000) * 1_000_000)
        let etag = "\"" + randomHex(32) + "\""
        let size = Int64(Int.random(in: 2_000...400_000, using: &random))
        var details = objectDetails(key: slot.identity.key, etag: etag).merging(scanDetails(window)) { own, _ in own }
        details["size"] = .int(size)
        details["serial"] = .int(Int64(slot.serial))
        details["lineage"] = .string(slot.lineage)
        details["terraform_version"] = .string(run.record.version ?? "1.11.4")
        out.append(
            Event(
                key: "s3|\(Self.bucketSource)|written|\(slot.identity.key)|\(etag)|\(modified.microseconds)", kind: .stateWritten,
                source: Self.bucketSource, mechanism: .s3State, time: .exact(modified), observedAt: window.completed,
                state: slot.identity.lockPath, workspace: slot.identity.workspace, details: .object(details),
                raw: [
                    "key": .string(slot.identity.key), "etag": .string(etag), "size": .int(size),
                    "last_modified": .string(modified.rfc3339),
                ]))
        return out
    }

    private func dynamoDB(
        _ kind: EventKind, key: String, time: EventTime, window: ScanWindow, slot: StateSlot,
        lockID: String?, details: [String: JSONValue], raw: JSONValue?
    ) -> Event {
        var d = details
        d["table"] = .string(Self.table)
        d.merge(scanDetails(window)) { own, _ in own }
        return Event(
            key: "ddb|\(Self.dynamoDBSource)|" + key, kind: kind, source: Self.dynamoDBSource, mechanism: .dynamodb, time: time,
            observedAt: window.completed, lockID: lockID, state: slot.identity.lockPath, workspace: slot.identity.workspace,
            details: .object(d), raw: raw)
    }

    private func objectDetails(key: String, etag: String) -> [String: JSONValue] {
        ["bucket": .string(Self.bucket), "object_key": .string(key), "version_id": .null, "etag": .string(etag)]
    }

    private func scanDetails(_ window: ScanWindow) -> [String: JSONValue] {
        ["scan_after": .optional(window.previousStarted?.rfc3339), "scan_not_after": .string(window.completed.rfc3339)]
    }

    private mutating func uuid() -> String {
        randomHex(8) + "-" + randomHex(4) + "-4" + randomHex(3) + "-8" + randomHex(3) + "-" + randomHex(12)
    }

    private mutating func randomHex(_ count: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for _ in 0..<count { bytes.append(Self.hex[Int(random.next() & 0xf)]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
