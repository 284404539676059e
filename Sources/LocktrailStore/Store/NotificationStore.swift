import Foundation
public import LocktrailCore
import LocktrailPostgres

/// The notification outbox through the store: becoming the one notifier, and what the
/// `notifications` commands and `/metrics` ask.
public struct NotificationStore: Sendable {
    let pool: PostgresPool

    /// Becomes the notifier when no other process is (a PostgreSQL session advisory lock, held
    /// by a connection of its own for as long as the lease lives); nil when another one is.
    public func tryLead() async throws -> NotifierLease? {
        let conninfo = pool.connectionString
        let result: Result<NotifierLease?, any Error> = await PostgresPool.runBlocking {
            Result {
                let connection = try PostgresConnection(conninfo: conninfo)
                guard try connection.first(NotificationStatements.Lock())?.locked == true else { return nil }
                return NotifierLease(connection: connection)
            }
        }
        return try result.get()
    }

    /// Outbox entries, oldest first: of `status` (nil: any), after the entry `after`, at most `limit`.
    public func list(status: NotificationStatus?, after: NotificationEntry? = nil, limit: Int) async throws -> [NotificationEntry] {
        try await pool.withConnection { connection in
            try connection.records(
                NotificationStatements.List(
                    status: status?.rawValue, after: after.map { ($0.createdAt, $0.id) }, limit: limit)
            ).map(NotificationEntry.init)
        }
    }

    /// Makes the entry `id` (nil: every dead letter) due now with a fresh count of attempts;
    /// returns the ids made due (none when `id` is unknown or already delivered).
    public func retry(id: String?) async throws -> [String] {
        try await pool.withConnection { try $0.records(NotificationStatements.Retry(id: id)).map(\.id) }
    }

    /// The backlog and dead letters (`locktrail_notifications_backlog`, `locktrail_notifications_dead_letters`).
    public func counts() async throws -> NotificationCounts {
        try await pool.withConnection { connection in
            let row = try connection.first(NotificationStatements.Counts())
            return NotificationCounts(backlog: row?.backlog ?? 0, deadLetters: row?.deadLetters ?? 0)
        }
    }
}

/// Where an outbox entry stands.
public enum NotificationStatus: String, CaseIterable, Sendable {
    /// Not yet accepted by its receiver: due now or after a backoff.
    case pending
    /// Accepted (a 2xx answer).
    case delivered
    /// Failed as many times as allowed; `locktrail notifications retry` sends it again.
    case dead
}

/// The two figures of the outbox for `/metrics`.
public struct NotificationCounts: Hashable, Sendable {
    /// Pending deliveries (`locktrail_notifications_backlog`).
    public var backlog: Int64
    /// Dead letters (`locktrail_notifications_dead_letters`).
    public var deadLetters: Int64

    /// The figures.
    public init(backlog: Int64, deadLetters: Int64) { (self.backlog, self.deadLetters) = (backlog, deadLetters) }
}

/// One outbox entry as listed.
public struct NotificationEntry: Hashable, Sendable {
    public var id: String
    public var webhook: String
    public var subject: String
    public var kind: String
    public var status: String
    public var attempts: Int64
    /// The last failure (a status code or a transport error; never a URL or a secret).
    public var lastError: String?
    public var summary: String
    public var createdAt: Timestamp
    public var nextAttemptAt: Timestamp
    public var deliveredAt: Timestamp?

    init(_ r: NotificationStatements.List.Record) {
        (id, webhook, subject, kind, status, attempts) = (r.id, r.webhook, r.subject, r.kind, r.status, r.attempts)
        (lastError, summary, createdAt, nextAttemptAt, deliveredAt) = (r.lastError, r.summary, r.createdAt, r.nextAttemptAt, r.deliveredAt)
    }

    /// The entry as `notifications list --format json` prints it.
    public var json: JSONValue {
        [
            "id": .string(id), "webhook": .string(webhook), "subject": .string(subject), "kind": .string(kind),
            "status": .string(status), "attempts": .int(attempts), "last_error": .optional(lastError), "summary": .string(summary),
            "created_at": .string(createdAt.rfc3339), "next_attempt_at": .optional(status == "pending" ? nextAttemptAt.rfc3339 : nil),
            "delivered_at": .optional(deliveredAt?.rfc3339),
        ]
    }
}

/// A pending delivery whose time has come.
public struct DueNotification: Hashable, Sendable {
    public var id: String
    public var webhook: String
    public var kind: String
    public var summary: String
    /// The JSON document to send, exactly.
    public var body: String
    /// Attempts made so far.
    public var attempts: Int
}

/// What one pass of the notifier found.
public struct NotifierTickReport: Hashable, Sendable {
    /// The event the notifier has now looked at.
    public var seq: Int64
    /// Outbox entries created by this pass (a finding already in the outbox creates none).
    public var created: Int
}

/// The notifier's lease: a connection of its own holding the advisory lock, on which every step
/// of the notifier runs, so a process that lost its connection (and with it the lock) can write
/// nothing more. Used by one task at a time.
public final class NotifierLease: @unchecked Sendable {
    private let connection: PostgresConnection
    private let lock = NSLock()
    /// Events looked at per pass, so one pass after a long outage stays one bounded transaction.
    static let eventsPerPass: Int64 = 10_000

    init(connection: PostgresConnection) { self.connection = connection }

    /// Whether the connection, and so the lock, is still there.
    public var isHealthy: Bool { connection.isHealthy }

    /// One pass: catches the derivation up, then in one transaction turns what the events since
    /// the notifier's cursor show (forced holds, unlocked writes, contention, coverage gaps) and
    /// the locks now stale into outbox entries for `rules`, and advances the cursor past them.
    public func tick(rules: [NotificationRule], now: Timestamp) async throws -> NotifierTickReport {
        try await blocking { connection in
            try Derivation.catchUp(on: connection)
            return try connection.transaction(isolation: "REPEATABLE READ") { try Self.plan(rules: rules, now: now, on: connection) }
        }
    }

    /// Pending deliveries whose time has come, at most `limit`.
    public func due(limit: Int) async throws -> [DueNotification] {
        try await blocking { connection in
            try connection.records(NotificationStatements.Due(limit: limit)).map {
                DueNotification(id: $0.id, webhook: $0.webhook, kind: $0.kind, summary: $0.summary, body: $0.body, attempts: Int($0.attempts))
            }
        }
    }

    /// Records that the receiver accepted `id`.
    public func delivered(id: String) async throws {
        try await blocking { try $0.run(NotificationStatements.Delivered(id: id)) }
    }

    /// Records a failed attempt at `id`: due again in `retryIn` seconds, or dead once it has
    /// failed `maxAttempts` times. Returns the entry's status afterwards.
    public func failed(id: String, error: String, maxAttempts: Int, retryIn: Double) async throws -> NotificationStatus? {
        try await blocking { connection in
            try connection.first(NotificationStatements.Failed(id: id, error: error, maxAttempts: maxAttempts, retryIn: retryIn))
                .flatMap { NotificationStatus(rawValue: $0.status) }
        }
    }

    static func plan(rules: [NotificationRule], now: Timestamp, on connection: PostgresConnection) throws -> NotifierTickReport {
        let applied = try connection.first(DerivationStatements.CursorRead())?.applied ?? 0
        if try connection.first(NotificationStatements.CursorLock()) == nil {
            try connection.run(NotificationStatements.CursorStart(seq: applied))
        }
        guard let cursor = try connection.first(NotificationStatements.CursorLock()) else { return NotifierTickReport(seq: applied, created: 0) }
        let upTo = min(applied, cursor.seq + eventsPerPass)
        let wanted = Set(rules.flatMap(\.kinds))
        var candidates = NotificationCandidates()
        if upTo > cursor.seq {
            let states = try Derivation.touchedStates(after: cursor.seq, upTo: upTo, on: connection).sorted()
            if !states.isEmpty, wanted.contains(.forced) {
                candidates.forced = try connection.records(NotificationStatements.ForcedHolds(states: states, after: cursor.seq)).map {
                    .init(lockID: $0.lockID, doc: $0.doc)
                }
            }
            if !states.isEmpty, wanted.contains(.unlockedWrite) {
                candidates.unlockedWrites = try connection.records(NotificationStatements.UnlockedWrites(states: states, after: cursor.startedAt)).map
                {
                    .init(seq: $0.seq, doc: $0.doc)
                }
            }
            var kinds: [String] = []
            if wanted.contains(.contention) { kinds.append(EventKind.lockContended.rawValue) }
            if wanted.contains(.coverageGap) { kinds.append(EventKind.coverageGap.rawValue) }
            if !kinds.isEmpty {
                for event in try connection.records(NotificationStatements.Events(after: cursor.seq, upTo: upTo, kinds: kinds)) {
                    let candidate = NotificationCandidates.LogCandidate(seq: event.seq, doc: event.doc)
                    if event.kind == EventKind.lockContended.rawValue {
                        candidates.contentions.append(candidate)
                    } else {
                        candidates.coverageGaps.append(candidate)
                    }
                }
            }
        }
        if let smallest = NotificationPlanner.smallestStaleAfter(rules) {
            let webhooks = rules.filter { $0.kinds.contains(.stale) }.map(\.webhook)
            candidates.held = try connection.records(
                NotificationStatements.HeldSince(since: now.adding(seconds: -smallest), limit: 1000, webhooks: webhooks)
            ).map {
                .init(lockID: $0.lockID, doc: $0.doc, certainFrom: $0.certainFrom)
            }
        }
        var created = 0
        for draft in NotificationPlanner.drafts(candidates, rules: rules, now: now) {
            created += try connection.run(NotificationStatements.Insert(draft))
        }
        try connection.run(NotificationStatements.CursorAdvance(seq: max(cursor.seq, upTo)))
        return NotifierTickReport(seq: max(cursor.seq, upTo), created: created)
    }

    private func blocking<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let connection = self.connection, lock = self.lock
        let result: Result<T, any Error> = await PostgresPool.runBlocking {
            lock.lock()
            defer { lock.unlock() }
            return Result { try body(connection) }
        }
        return try result.get()
    }
}
