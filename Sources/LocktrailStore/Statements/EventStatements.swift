package import LocktrailCore
import LocktrailCrypto
package import LocktrailPostgres

/// The statements on `events` (the log) and `chain_head` (its head).
package enum EventStatements {
    /// `events_existing_keys`: which of `keys` are already stored.
    package struct ExistingKeys: Statement {
        package static let file = QueryFile.eventsExistingKeys
        package var keys: [String]
        package init(keys: [String]) { self.keys = keys }
        package var bindings: [PostgresValue] { [.textArray(keys)] }

        /// A stored key.
        package struct Record: RowDecodable {
            package var key: String
            package init(row: Row) throws { key = try row["key"] }
        }
    }

    /// `events_copy`: appends events with their position and hashes.
    package enum Copy: CopyStatement {
        package static let file = QueryFile.eventsCopy

        /// One event as appended: its canonical `details` and `raw` are encoded once, for the
        /// hash and for the row.
        package struct Record {
            package var seq: Int64
            package var event: Event
            package var details: [UInt8]
            package var raw: [UInt8]?
            package var previousHash: [UInt8]
            package var hash: [UInt8]
            /// The canonical encoding `details`, `raw` and the hash were made with.
            package var encoding: EventEncoding
        }

        package static func fields(_ r: Record) -> [String?] {
            let e = r.event
            var at: String?, after: String?, notAfter: String?
            switch e.time {
            case .exact(let t): at = t.rfc3339
            case .between(let a, let n): after = a?.rfc3339; notAfter = n.rfc3339
            }
            return [
                String(r.seq), e.key, e.kind.rawValue, e.source, e.mechanism?.rawValue, at, after, notAfter, e.observedAt.rfc3339,
                e.lockID, e.state, e.workspace, String(decoding: r.details, as: UTF8.self),
                r.raw.map { String(decoding: $0, as: UTF8.self) },
                "\\x" + Hex.encode(r.previousHash), "\\x" + Hex.encode(r.hash), String(r.encoding.rawValue),
            ]
        }
    }

    /// `events_list`: events after `seq`, oldest first, optionally of one kind or state, and
    /// optionally only those about a lock ID no hold exists for (`unmatched`).
    package struct List: Statement {
        package typealias Record = StoredEvent
        package static let file = QueryFile.eventsList
        package var after: Int64, kind: String?, state: String?, limit: Int, unmatched: Bool
        package init(after: Int64, kind: String?, state: String?, limit: Int, unmatched: Bool = false) {
            (self.after, self.kind, self.state, self.limit, self.unmatched) = (after, kind, state, limit, unmatched)
        }
        package var bindings: [PostgresValue] { [.int(after), .string(kind), .string(state), .int(Int64(limit)), .bool(unmatched)] }
    }

    /// `events_for_verify`: the whole log in chain order.
    package struct ForVerify: Statement {
        package typealias Record = StoredEvent
        package static let file = QueryFile.eventsForVerify
        package init() {}
        package var bindings: [PostgresValue] { [] }
    }

    /// `events_export`: a page of events after `seq`, observed in `[since, until)`.
    package struct Export: Statement {
        package typealias Record = StoredEvent
        package static let file = QueryFile.eventsExport
        package var after: Int64, since: Timestamp?, until: Timestamp?, limit: Int
        package init(after: Int64, since: Timestamp?, until: Timestamp?, limit: Int) {
            (self.after, self.since, self.until, self.limit) = (after, since, until, limit)
        }
        package var bindings: [PostgresValue] { [.int(after), .timestamp(since), .timestamp(until), .int(Int64(limit))] }
    }

    /// `events_hash_at`: the stored hash of event `seq`.
    package struct HashAt: Statement {
        package static let file = QueryFile.eventsHashAt
        package var seq: Int64
        package init(seq: Int64) { self.seq = seq }
        package var bindings: [PostgresValue] { [.int(seq)] }

        /// The hash.
        package struct Record: RowDecodable {
            package var hash: [UInt8]
            package init(row: Row) throws { hash = try row["hash"] }
        }
    }

    /// `chain_head_lock`: the chain head, row-locked until the appending transaction ends.
    package struct HeadLock: Statement {
        package typealias Record = ChainHead
        package static let file = QueryFile.chainHeadLock
        package init() {}
        package var bindings: [PostgresValue] { [] }
    }

    /// `chain_head_read`: the chain head.
    package struct HeadRead: Statement {
        package typealias Record = ChainHead
        package static let file = QueryFile.chainHeadRead
        package init() {}
        package var bindings: [PostgresValue] { [] }
    }

    /// `chain_head_advance`: moves the head to the last appended event.
    package struct HeadAdvance: Statement {
        package static let file = QueryFile.chainHeadAdvance
        package var seq: Int64, hash: [UInt8]
        package init(seq: Int64, hash: [UInt8]) { (self.seq, self.hash) = (seq, hash) }
        package var bindings: [PostgresValue] { [.int(seq), .bytea(hash)] }
    }

    /// The head of the chain: the last event's position and hash.
    package struct ChainHead: RowDecodable {
        package var seq: Int64
        package var hash: [UInt8]
        package init(row: Row) throws {
            seq = try row["seq"]
            hash = try row["hash"]
        }
    }
}

extension StoredEvent: RowDecodable {
    /// Rebuilds an event from a row of `events` as the event statements select it. A statement
    /// without the `encoding` column (the derivation's: it never hashes) gets the current
    /// encoding; `verify` insists on the column.
    package init(row: Row) throws {
        let eventTime: EventTime
        if let exact: Timestamp = try row["occurred_at"] {
            eventTime = .exact(exact)
        } else if let notAfter: Timestamp = try row["occurred_not_after"] {
            eventTime = .between(after: try row["occurred_after"], notAfter: notAfter)
        } else {
            let seq: Int64? = try? row["seq"]
            throw PostgresError(kind: .decoding, message: "event \(seq.map(String.init) ?? "?") has no time", context: row.query)
        }
        let event = Event(
            key: try row["key"], kind: EventKind(named: try row["kind"] as String), source: try row["source"],
            mechanism: try row["mechanism"], time: eventTime, observedAt: try row["observed_at"],
            lockID: try row["lock_id"], state: try row["state"], workspace: try row["workspace"],
            details: try row["details"], raw: try row["raw"])
        var encoding = EventEncoding.current
        if row.hasColumn("encoding") {
            let number: Int? = try row["encoding"]
            guard let number, let known = EventEncoding(rawValue: number) else {
                let seq: Int64? = try? row["seq"]
                throw PostgresError(
                    kind: .decoding,
                    message:
                        "event \(seq.map(String.init) ?? "?") has canonical encoding \(number.map(String.init) ?? "NULL"), which this locktrail does not know",
                    context: row.query)
            }
            encoding = known
        }
        self.init(seq: try row["seq"], event: event, previousHash: try row["prev_hash"], hash: try row["hash"], encoding: encoding)
    }
}
