import LocktrailCore

/// A small deterministic PRNG (SplitMix64): the same seed yields the same events on every machine.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates a realistic, deterministic stream of DynamoDB lock-table events, shaped exactly as
/// `LockTableDiff` shapes them (keys, details, raw items, scan bounds): states are locked, some
/// applies write their state, and locks are released, on a simulated 30-second polling cycle.
///
/// The mix settles at about 40% `lock.acquired`, 40% `lock.released`, 20% `state.written`.
/// An acquire's raw item (`LockID` + Terraform's `Info` record) is about 300 bytes.
struct LockEventGenerator {
    private struct HeldLock {
        var record: LockRecord
        var raw: JSONValue
        var writes: Bool
        var wrote = false
    }

    private struct StateSlot {
        var identity: StateIdentity
        var lock: HeldLock?
        var digest: String?
    }

    static let table = "terraform-locks"
    static let source = "dynamodb:us-east-1/terraform-locks"
    private static let pollInterval: Int64 = 30_000_000
    private static let operations = [
        ("OperationTypeApply", 45), ("OperationTypePlan", 40), ("OperationTypeRefresh", 5),
        ("OperationTypeInvalid", 5), ("OperationTypeState", 5),
    ]
    private static let users = ["alice", "bob", "carol", "dave", "erin", "ci", "atlantis", "spacelift", "frank", "grace"]
    private static let versions = ["1.11.4", "1.10.5", "1.9.8", "1.5.7"]
    private static let hex = Array("0123456789abcdef".utf8)

    private var random: SplitMix64
    private var states: [StateSlot]
    private var clock: Int64

    /// `stateCount` states spread over a few buckets, services and workspaces.
    init(seed: UInt64, stateCount: Int = 5_000) {
        random = SplitMix64(seed: seed)
        clock = Timestamp(parsing: "2025-03-01T00:00:00Z")!.microseconds
        let workspaces = ["default", "dev", "staging", "prod", "eu-prod", "us-prod"]
        states = (0..<stateCount).map { n in
            let bucket = "acme-tfstate-\(["platform", "payments", "data", "web"][n % 4])"
            let baseKey = "services/svc-\(n / workspaces.count)/terraform.tfstate"
            let identity = StateIdentity(bucket: bucket, baseKey: baseKey, workspace: workspaces[n % workspaces.count])
            return StateSlot(identity: identity)
        }
    }

    /// The next `count` events, in chain order.
    mutating func next(_ count: Int) -> [Event] {
        var out: [Event] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(nextEvent()) }
        return out
    }

    private mutating func nextEvent() -> Event {
        clock += Int64.random(in: 200_000...3_000_000, using: &random)
        let index = Int.random(in: 0..<states.count, using: &random)
        let now = Timestamp(microsecondsSinceEpoch: clock)
        // The scan that saw the change completed at the next poll; the one before started a poll earlier.
        let completed = Timestamp(microsecondsSinceEpoch: (clock / Self.pollInterval + 1) * Self.pollInterval + 812_345)
        let window = ScanWindow(
            previousStarted: completed.adding(microseconds: -Self.pollInterval - 1_000_000),
            started: completed.adding(microseconds: -1_000_000), completed: completed)
        var slot = states[index]
        defer { states[index] = slot }

        guard var lock = slot.lock else {
            let lock = makeLock(for: slot.identity, created: now)
            slot.lock = lock
            var details = lock.record.eventDetails
            details["time_basis"] = "created"
            return event(
                .lockAcquired, key: "acquired|\(slot.identity.lockPath)|\(lock.record.id)", time: .exact(now),
                window: window, state: slot.identity, lockID: lock.record.id, details: details, raw: lock.raw)
        }
        if lock.writes && !lock.wrote {
            lock.wrote = true
            slot.lock = lock
            let digest = randomHex(32)
            var details: [String: JSONValue] = ["digest": .string(digest)]
            if let previous = slot.digest { details["previous_digest"] = .string(previous) }
            slot.digest = digest
            let raw: JSONValue = ["Digest": ["S": .string(digest)], "LockID": ["S": .string(slot.identity.digestLockID)]]
            return event(
                .stateWritten, key: "written|\(slot.identity.lockPath)|\(digest)|\(completed.microseconds)",
                time: window.bounds, window: window, state: slot.identity, lockID: nil, details: details, raw: raw)
        }
        slot.lock = nil
        var details: [String: JSONValue] = ["reason": "disappeared"]
        details.merge(lock.record.eventDetails) { a, _ in a }
        return event(
            .lockReleased, key: "released|\(slot.identity.lockPath)|\(lock.record.id)", time: window.bounds,
            window: window, state: slot.identity, lockID: lock.record.id, details: details, raw: nil)
    }

    private func event(
        _ kind: EventKind, key: String, time: EventTime, window: ScanWindow, state: StateIdentity,
        lockID: String?, details: [String: JSONValue], raw: JSONValue?
    ) -> Event {
        var d = details
        d["table"] = .string(Self.table)
        d["scan_after"] = .optional(window.previousStarted?.rfc3339)
        d["scan_not_after"] = .string(window.completed.rfc3339)
        return Event(
            key: "ddb|\(Self.source)|" + key, kind: kind, source: Self.source, mechanism: .dynamodb, time: time,
            observedAt: window.completed, lockID: lockID, state: state.lockPath, workspace: state.workspace,
            details: .object(d), raw: raw)
    }

    /// A lock record exactly as Terraform writes it, parsed by the same code the collector uses.
    private mutating func makeLock(for state: StateIdentity, created: Timestamp) -> HeldLock {
        var roll = Int.random(in: 0..<100, using: &random)
        var operation = Self.operations[0].0
        for (name, weight) in Self.operations {
            if roll < weight { operation = name; break }
            roll -= weight
        }
        let id = randomHex(8) + "-" + randomHex(4) + "-" + randomHex(4) + "-" + randomHex(4) + "-" + randomHex(12)
        let who = Self.users.randomElement(using: &random)! + "@" + "runner-\(Int.random(in: 1...64, using: &random)).ci.acme.internal"
        // Terraform writes nanoseconds; the microsecond timestamp is the event time.
        let createdText = String(created.rfc3339.dropLast()) + String(format3(Int.random(in: 0...999, using: &random))) + "Z"
        let info =
            "{\"ID\":\"\(id)\",\"Operation\":\"\(operation)\",\"Info\":\"\",\"Who\":\"\(who)\","
            + "\"Version\":\"\(Self.versions.randomElement(using: &random)!)\",\"Created\":\"\(createdText)\",\"Path\":\"\(state.lockPath)\"}"
        guard case .record(let record) = LockRecordParse.parse(Array(info.utf8)) else { fatalError("generated an unreadable lock record") }
        let raw: JSONValue = ["Info": ["S": .string(info)], "LockID": ["S": .string(state.lockPath)]]
        return HeldLock(record: record, raw: raw, writes: operation == "OperationTypeApply" && Int.random(in: 0..<10, using: &random) < 9)
    }

    private mutating func randomHex(_ count: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for _ in 0..<count { bytes.append(Self.hex[Int(random.next() & 0xf)]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func format3(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: 3 - s.count) + s
    }
}
