import LocktrailCore
import LocktrailCrypto
import LocktrailPostgres

/// What an append did.
public struct AppendOutcome: Hashable, Sendable {
    /// Events added to the log.
    public var appended: Int
    /// Events skipped because their idempotency key was already in the log (or twice in the batch).
    public var duplicates: Int
    /// The chain head after the append.
    public var headSeq: Int64

    /// An outcome.
    public init(appended: Int, duplicates: Int, headSeq: Int64) {
        self.appended = appended
        self.duplicates = duplicates
        self.headSeq = headSeq
    }
}

/// An event as stored: its position and hashes besides its contents.
public struct StoredEvent: Sendable {
    /// Position in the chain.
    public var seq: Int64
    /// The event.
    public var event: Event
    /// The previous event's hash as stored.
    public var previousHash: [UInt8]
    /// This event's hash as stored.
    public var hash: [UInt8]
    /// The canonical encoding its hash was computed with.
    public var encoding: EventEncoding
}

/// What `verify` found.
public struct VerificationReport: Sendable, CustomStringConvertible {
    /// Events checked.
    public var checked: Int64
    /// The head the chain table records.
    public var recordedHeadSeq: Int64
    /// The hash of the last event checked.
    public var headHash: [UInt8]
    /// The first break, if any.
    public var firstBreak: ChainBreak?

    /// Whether the log is intact.
    public var isIntact: Bool { firstBreak == nil }

    public var description: String {
        if let firstBreak { return "broken: \(firstBreak)" }
        return "intact, \(checked) events (head \(Hex.encode(headHash)))"
    }
}

/// The append-only, hash-chained event log in PostgreSQL.
///
/// `append(_:on:)` is synchronous and must run inside the caller's transaction, so a collector
/// can store its snapshot and the events it produced atomically.
public enum EventLog {
    /// Appends `events` in order, skipping those whose key is already stored. Takes the chain
    /// head's row lock, so concurrent appenders queue and form one chain. Call inside a transaction.
    public static func append(_ events: [Event], on connection: PostgresConnection) throws -> AppendOutcome {
        let head = try connection.run(NamedQuery("chain_head_lock"))
        guard var seq = head.int(0, 0), var previous = head.bytea(0, 1) else {
            throw PostgresError(kind: .decoding, message: "chain_head has no row; run `locktrail migrate`")
        }
        guard !events.isEmpty else { return AppendOutcome(appended: 0, duplicates: 0, headSeq: seq) }

        var seen = Set<String>()
        var fresh = events.filter { seen.insert($0.key).inserted }
        let existing = try connection.run(NamedQuery("events_existing_keys"), [.textArray(fresh.map(\.key))])
        if existing.rowCount > 0 {
            var stored = Set<String>()
            for row in 0..<existing.rowCount { stored.insert(existing.string(row, 0)!) }
            fresh.removeAll { stored.contains($0.key) }
        }
        if !fresh.isEmpty {
            try connection.copyIn(NamedQuery("events_copy").sql, context: "append to events") { writer in
                let encoding = EventEncoding.current
                for event in fresh {
                    seq += 1
                    // details and raw are encoded once, for the hash and for the row.
                    let details = CanonicalJSON.encode(event.details, numbers: encoding.numbers)
                    let raw = event.raw.map { CanonicalJSON.encode($0, numbers: encoding.numbers) }
                    let hash = EventChain.hash(previous: previous, canonical: event.canonicalEncoding(details: details, raw: raw, encoding: encoding))
                    try writer.row(copyFields(event, seq: seq, details: details, raw: raw, previous: previous, hash: hash, encoding: encoding))
                    previous = hash
                }
            }
            try connection.run(NamedQuery("chain_head_advance"), [.int(seq), .bytea(previous)])
        }
        return AppendOutcome(appended: fresh.count, duplicates: events.count - fresh.count, headSeq: seq)
    }

    /// Appends `events` in one transaction of its own.
    public static func append(_ events: [Event], pool: PostgresPool) async throws -> AppendOutcome {
        try await pool.withConnection { connection in
            try connection.transaction { try append(events, on: connection) }
        }
    }

    private static func copyFields(_ e: Event, seq: Int64, details: [UInt8], raw: [UInt8]?, previous: [UInt8], hash: [UInt8],
                                   encoding: EventEncoding) -> [String?] {
        var at: String?, after: String?, notAfter: String?
        switch e.time {
        case .exact(let t): at = t.rfc3339
        case .between(let a, let n): after = a?.rfc3339; notAfter = n.rfc3339
        }
        return [
            String(seq), e.key, e.kind.rawValue, e.source, e.mechanism, at, after, notAfter, e.observedAt.rfc3339,
            e.lockID, e.state, e.workspace, String(decoding: details, as: UTF8.self), raw.map { String(decoding: $0, as: UTF8.self) },
            "\\x" + Hex.encode(previous), "\\x" + Hex.encode(hash), String(encoding.rawValue),
        ]
    }

    /// Rebuilds an event from a row of `events_for_verify`/`events_list` (column order shared).
    /// A query without the `encoding` column (the derivation's: it never hashes) gets the
    /// current encoding; `verify` insists on the column.
    public static func decode(_ r: PostgresResult, row: Int) throws -> StoredEvent {
        func time(_ column: Int) throws -> Timestamp? {
            guard let text = r.string(row, column) else { return nil }
            guard let t = Timestamp(parsing: text) else {
                throw PostgresError(kind: .decoding, message: "unreadable timestamp \(text) in column \(r.columnName(column))")
            }
            return t
        }
        func json(_ column: Int) throws -> JSONValue? {
            guard let text = r.string(row, column) else { return nil }
            return try JSONParser.parse(Array(text.utf8), maxDepth: 256)
        }
        let eventTime: EventTime
        if let exact = try time(5) {
            eventTime = .exact(exact)
        } else if let notAfter = try time(7) {
            eventTime = .between(after: try time(6), notAfter: notAfter)
        } else {
            throw PostgresError(kind: .decoding, message: "event \(r.string(row, 0) ?? "?") has no time")
        }
        let event = Event(
            key: r.string(row, 1) ?? "", kind: EventKind(r.string(row, 2) ?? ""), source: r.string(row, 3) ?? "",
            mechanism: r.string(row, 4), time: eventTime, observedAt: try time(8) ?? Timestamp(microsecondsSinceEpoch: 0),
            lockID: r.string(row, 9), state: r.string(row, 10), workspace: r.string(row, 11),
            details: try json(12) ?? .object([:]), raw: try json(13))
        var encoding = EventEncoding.current
        if let column = r.column(named: "encoding") {
            guard let number = r.int(row, column), let known = EventEncoding(rawValue: Int(number)) else {
                throw PostgresError(kind: .decoding, message: "event \(r.string(row, 0) ?? "?") has canonical encoding \(r.string(row, column) ?? "NULL"), which this locktrail does not know")
            }
            encoding = known
        }
        return StoredEvent(seq: r.int(row, 0) ?? 0, event: event, previousHash: r.bytea(row, 14) ?? [], hash: r.bytea(row, 15) ?? [],
                           encoding: encoding)
    }

    /// Recomputes the whole chain in stored order, in constant memory, and reports the first break.
    /// `progress` is called after each batch with the number of events checked.
    public static func verify(on connection: PostgresConnection, progress: (Int64) -> Void = { _ in }) throws -> VerificationReport {
        try connection.transaction(isolation: "REPEATABLE READ") {
            let head = try connection.run(NamedQuery("chain_head_read"))
            let recordedSeq = head.int(0, 0) ?? 0
            let recordedHash = head.bytea(0, 1) ?? []
            var verifier = ChainVerifier()
            var pending: ChainLink?
            var firstBreak: ChainBreak?
            func feed(_ link: ChainLink?) {
                if let current = pending, firstBreak == nil {
                    firstBreak = verifier.check(current, next: link)
                }
                pending = link
            }
            try connection.forEachBatch(NamedQuery("events_for_verify").sql, context: "verify") { batch in
                guard firstBreak == nil else { return }
                // Without it every event would be re-encoded in the current encoding, and older ones reported altered.
                guard batch.column(named: "encoding") != nil else {
                    throw PostgresError(kind: .decoding, message: "events_for_verify must select each event's encoding")
                }
                for row in 0..<batch.rowCount {
                    let stored: StoredEvent
                    do {
                        stored = try decode(batch, row: row)
                    } catch {
                        // A row that cannot even be read back was altered outside locktrail.
                        let seq = batch.int(row, 0) ?? 0
                        feed(ChainLink(seq: seq, storedPrevious: batch.bytea(row, 14) ?? [], storedHash: batch.bytea(row, 15) ?? [], recomputedHash: []))
                        continue
                    }
                    feed(ChainLink(
                        seq: stored.seq, storedPrevious: stored.previousHash, storedHash: stored.hash,
                        recomputedHash: EventChain.hash(previous: stored.previousHash, event: stored.event, encoding: stored.encoding)))
                }
                progress(verifier.checked)
            }
            feed(nil)
            if firstBreak == nil, verifier.headSeq != recordedSeq || verifier.head != recordedHash {
                firstBreak = ChainBreak(
                    kind: .truncated, seq: verifier.headSeq + 1,
                    explanation: "the log ends at event \(verifier.headSeq) but the chain head records event \(recordedSeq): events at the end are gone or the head was altered")
            }
            return VerificationReport(checked: verifier.checked, recordedHeadSeq: recordedSeq, headHash: verifier.head, firstBreak: firstBreak)
        }
    }
}

extension EventLog {
    /// The chain head as recorded: the last event's seq and hash (0 and 32 zero bytes when empty).
    public static func head(on connection: PostgresConnection) throws -> (seq: Int64, hash: [UInt8]) {
        let r = try connection.run(NamedQuery("chain_head_read"))
        return (r.int(0, 0) ?? 0, r.bytea(0, 1) ?? [UInt8](repeating: 0, count: 32))
    }

    /// The stored hash of event `seq`, or nil if there is no such event.
    public static func hash(ofEvent seq: Int64, on connection: PostgresConnection) throws -> [UInt8]? {
        let r = try connection.run(NamedQuery("events_hash_at"), [.int(seq)])
        return r.rowCount == 0 ? nil : r.bytea(0, 0)
    }

    /// Events after `seq`, oldest first, optionally of one kind or state.
    public static func list(after seq: Int64, kind: String?, state: String?, limit: Int, unmatched: Bool = false,
                            on connection: PostgresConnection) throws -> [StoredEvent] {
        let r = try connection.run(NamedQuery("events_list"), [.int(seq), .string(kind), .string(state), .int(Int64(limit)), .bool(unmatched)])
        return try (0..<r.rowCount).map { try decode(r, row: $0) }
    }
}
