public import LocktrailCore
import LocktrailCrypto
package import LocktrailPostgres

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
    package static func append(_ events: [Event], on connection: PostgresConnection) throws -> AppendOutcome {
        guard let head = try connection.first(EventStatements.HeadLock()) else {
            throw PostgresError(kind: .decoding, message: "chain_head has no row; run `locktrail migrate`")
        }
        var seq = head.seq, previous = head.hash
        guard !events.isEmpty else { return AppendOutcome(appended: 0, duplicates: 0, headSeq: seq) }

        var seen = Set<String>()
        var fresh = events.filter { seen.insert($0.key).inserted }
        let existing = try connection.records(EventStatements.ExistingKeys(keys: fresh.map(\.key)))
        if !existing.isEmpty {
            let stored = Set(existing.map(\.key))
            fresh.removeAll { stored.contains($0.key) }
        }
        if !fresh.isEmpty {
            try connection.copy(EventStatements.Copy.self, context: "append to events") { rows in
                let encoding = EventEncoding.current
                for event in fresh {
                    seq += 1
                    // details and raw are encoded once, for the hash and for the row.
                    let details = CanonicalJSON.encode(event.details, numbers: encoding.numbers)
                    let raw = event.raw.map { CanonicalJSON.encode($0, numbers: encoding.numbers) }
                    let hash = EventChain.hash(previous: previous, canonical: event.canonicalEncoding(details: details, raw: raw, encoding: encoding))
                    try rows.append(.init(seq: seq, event: event, details: details, raw: raw, previousHash: previous, hash: hash, encoding: encoding))
                    previous = hash
                }
            }
            try connection.run(EventStatements.HeadAdvance(seq: seq, hash: previous))
        }
        return AppendOutcome(appended: fresh.count, duplicates: events.count - fresh.count, headSeq: seq)
    }

    /// Appends `events` in one transaction of its own.
    package static func append(_ events: [Event], pool: PostgresPool) async throws -> AppendOutcome {
        try await pool.withConnection { connection in
            try connection.transaction { try append(events, on: connection) }
        }
    }

    /// Recomputes the whole chain in stored order, in constant memory, and reports the first break.
    /// `progress` is called after each batch with the number of events checked.
    package static func verify(on connection: PostgresConnection, progress: (Int64) -> Void = { _ in }) throws -> VerificationReport {
        try connection.transaction(isolation: "REPEATABLE READ") {
            let head = try connection.first(EventStatements.HeadRead())
            let recordedSeq = head?.seq ?? 0
            let recordedHash = head?.hash ?? []
            var verifier = ChainVerifier()
            var pending: ChainLink?
            var firstBreak: ChainBreak?
            func feed(_ link: ChainLink?) {
                if let current = pending, firstBreak == nil {
                    firstBreak = verifier.check(current, next: link)
                }
                pending = link
            }
            try connection.forEachBatch(EventStatements.ForVerify()) { batch in
                guard firstBreak == nil else { return }
                // Without it every event would be re-encoded in the current encoding, and older ones reported altered.
                guard batch.hasColumn("encoding") else {
                    throw PostgresError(kind: .decoding, message: "events_for_verify must select each event's encoding")
                }
                for row in batch {
                    let stored: StoredEvent
                    do {
                        stored = try StoredEvent(row: row)
                    } catch {
                        // A row that cannot even be read back was altered outside locktrail.
                        let seq: Int64 = (try? row["seq"]) ?? 0
                        let previous: [UInt8] = (try? row["prev_hash"]) ?? [], hash: [UInt8] = (try? row["hash"]) ?? []
                        feed(ChainLink(seq: seq, storedPrevious: previous, storedHash: hash, recomputedHash: []))
                        continue
                    }
                    feed(
                        ChainLink(
                            seq: stored.seq, storedPrevious: stored.previousHash, storedHash: stored.hash,
                            recomputedHash: EventChain.hash(previous: stored.previousHash, event: stored.event, encoding: stored.encoding)))
                }
                progress(verifier.checked)
            }
            feed(nil)
            if firstBreak == nil, verifier.headSeq != recordedSeq || verifier.head != recordedHash {
                firstBreak = ChainBreak(
                    kind: .truncated, seq: verifier.headSeq + 1,
                    explanation:
                        "the log ends at event \(verifier.headSeq) but the chain head records event \(recordedSeq): events at the end are gone or the head was altered"
                )
            }
            return VerificationReport(checked: verifier.checked, recordedHeadSeq: recordedSeq, headHash: verifier.head, firstBreak: firstBreak)
        }
    }
}

extension EventLog {
    /// The chain head as recorded: the last event's seq and hash (0 and 32 zero bytes when empty).
    package static func head(on connection: PostgresConnection) throws -> (seq: Int64, hash: [UInt8]) {
        let head = try connection.first(EventStatements.HeadRead())
        return (head?.seq ?? 0, head?.hash ?? [UInt8](repeating: 0, count: 32))
    }

    /// The stored hash of event `seq`, or nil if there is no such event.
    package static func hash(ofEvent seq: Int64, on connection: PostgresConnection) throws -> [UInt8]? {
        try connection.first(EventStatements.HashAt(seq: seq))?.hash
    }

    /// Events after `seq`, oldest first, optionally of one kind or state.
    package static func list(
        after seq: Int64, kind: String?, state: String?, limit: Int, unmatched: Bool = false,
        on connection: PostgresConnection
    ) throws -> [StoredEvent] {
        try connection.records(EventStatements.List(after: seq, kind: kind, state: state, limit: limit, unmatched: unmatched))
    }
}
