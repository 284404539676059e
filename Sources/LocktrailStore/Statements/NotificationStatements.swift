package import LocktrailCore
package import LocktrailPostgres

/// The statements of the notifier: its advisory lock and cursor, what it looks for, and the outbox.
package enum NotificationStatements {
    /// `notifier_lock`: tries to take the session advisory lock that makes this connection the notifier.
    package struct Lock: Statement {
        package static let file = QueryFile.notifierLock
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// Whether the lock was taken.
        package struct Record: RowDecodable {
            package var locked: Bool
            package init(row: Row) throws { locked = try row["locked"] }
        }
    }

    /// `notification_cursor_lock`: the notifier's position, row-locked.
    package struct CursorLock: Statement {
        package static let file = QueryFile.notificationCursorLock
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// The position, and where the notifier first started.
        package struct Record: RowDecodable {
            package var seq: Int64, startedAt: Int64
            package init(row: Row) throws {
                seq = try row["seq"]
                startedAt = try row["started_at"]
            }
        }
    }

    /// `notification_cursor_start`: the first run starts at `seq`.
    package struct CursorStart: Statement {
        package static let file = QueryFile.notificationCursorStart
        package var seq: Int64
        package init(seq: Int64) { self.seq = seq }
        package var bindings: [PostgresValue] { [.int(seq)] }
    }

    /// `notification_cursor_advance`: events up to `seq` have been looked at.
    package struct CursorAdvance: Statement {
        package static let file = QueryFile.notificationCursorAdvance
        package var seq: Int64
        package init(seq: Int64) { self.seq = seq }
        package var bindings: [PostgresValue] { [.int(seq)] }
    }

    /// `notification_forced_holds`: forced holds of `states` with evidence after `after`.
    package struct ForcedHolds: Statement {
        package static let file = QueryFile.notificationForcedHolds
        package var states: [String], after: Int64
        package init(states: [String], after: Int64) { (self.states, self.after) = (states, after) }
        package var bindings: [PostgresValue] { [.textArray(states), .int(after)] }

        /// A hold.
        package struct Record: RowDecodable {
            package var lockID: String, doc: JSONValue
            package init(row: Row) throws {
                lockID = try row["lock_id"]
                doc = try row["doc"]
            }
        }
    }

    /// `notification_unlocked_writes`: unlocked writes of `states` after seq `after`.
    package struct UnlockedWrites: Statement {
        package static let file = QueryFile.notificationUnlockedWrites
        package var states: [String], after: Int64
        package init(states: [String], after: Int64) { (self.states, self.after) = (states, after) }
        package var bindings: [PostgresValue] { [.textArray(states), .int(after)] }
        package typealias Record = LogRecord
    }

    /// `notification_events`: events in `(after, upTo]` of `kinds`.
    package struct Events: Statement {
        package static let file = QueryFile.notificationEvents
        package var after: Int64, head: Int64, kinds: [String]
        package init(after: Int64, upTo head: Int64, kinds: [String]) { (self.after, self.head, self.kinds) = (after, head, kinds) }
        package var bindings: [PostgresValue] { [.int(after), .int(head), .textArray(kinds)] }

        /// An event as notifications print it.
        package struct Record: RowDecodable {
            package var seq: Int64, kind: String, doc: JSONValue
            package init(row: Row) throws {
                seq = try row["seq"]
                kind = try row["kind"]
                doc = try row["doc"]
            }
        }
    }

    /// `notification_held_since`: locks held now and certainly held since `since`, at most
    /// `limit`, without those all of `webhooks` were already told of.
    package struct HeldSince: Statement {
        package static let file = QueryFile.notificationHeldSince
        package var since: Timestamp, limit: Int, webhooks: [String]
        package init(since: Timestamp, limit: Int, webhooks: [String]) { (self.since, self.limit, self.webhooks) = (since, limit, webhooks) }
        package var bindings: [PostgresValue] { [.timestamp(since), .int(Int64(limit)), .textArray(webhooks)] }

        /// A held lock.
        package struct Record: RowDecodable {
            package var lockID: String, certainFrom: Timestamp?, doc: JSONValue
            package init(row: Row) throws {
                lockID = try row["lock_id"]
                certainFrom = try row["certain_from"]
                doc = try row["doc"]
            }
        }
    }

    /// `notifications_insert`: one outbox entry, nothing when it exists.
    package struct Insert: Statement {
        package static let file = QueryFile.notificationsInsert
        package var draft: NotificationDraft
        package init(_ draft: NotificationDraft) { self.draft = draft }
        package var bindings: [PostgresValue] {
            [
                .string(draft.id), .string(draft.webhook), .string(draft.subject), .string(draft.kind.rawValue), .string(draft.summary),
                .string(draft.body),
            ]
        }
    }

    /// `notifications_due`: pending deliveries whose time has come.
    package struct Due: Statement {
        package static let file = QueryFile.notificationsDue
        package var limit: Int
        package init(limit: Int) { self.limit = limit }
        package var bindings: [PostgresValue] { [.int(Int64(limit))] }

        /// A delivery to make.
        package struct Record: RowDecodable {
            package var id: String, webhook: String, kind: String, summary: String, body: String, attempts: Int64
            package init(row: Row) throws {
                id = try row["id"]
                webhook = try row["webhook"]
                kind = try row["kind"]
                summary = try row["summary"]
                body = try row["body"]
                attempts = try row["attempts"]
            }
        }
    }

    /// `notifications_delivered`: the receiver accepted `id`.
    package struct Delivered: Statement {
        package static let file = QueryFile.notificationsDelivered
        package var id: String
        package init(id: String) { self.id = id }
        package var bindings: [PostgresValue] { [.string(id)] }
    }

    /// `notifications_failed`: an attempt at `id` failed.
    package struct Failed: Statement {
        package static let file = QueryFile.notificationsFailed
        package var id: String, error: String, maxAttempts: Int, retryIn: Double
        package init(id: String, error: String, maxAttempts: Int, retryIn: Double) {
            (self.id, self.error, self.maxAttempts, self.retryIn) = (id, error, maxAttempts, retryIn)
        }
        package var bindings: [PostgresValue] { [.string(id), .string(error), .int(Int64(maxAttempts)), .string(String(retryIn))] }

        /// The entry's status afterwards.
        package struct Record: RowDecodable {
            package var status: String
            package init(row: Row) throws { status = try row["status"] }
        }
    }

    /// `notifications_list`: outbox entries, oldest first.
    package struct List: Statement {
        package static let file = QueryFile.notificationsList
        package var status: String?, after: (createdAt: Timestamp, id: String)?, limit: Int
        package init(status: String?, after: (createdAt: Timestamp, id: String)?, limit: Int) {
            (self.status, self.after, self.limit) = (status, after, limit)
        }
        package var bindings: [PostgresValue] { [.string(status), .timestamp(after?.createdAt), .string(after?.id), .int(Int64(limit))] }

        /// An entry.
        package struct Record: RowDecodable {
            package var id: String, webhook: String, subject: String, kind: String, status: String, attempts: Int64
            package var lastError: String?, summary: String, createdAt: Timestamp, nextAttemptAt: Timestamp, deliveredAt: Timestamp?
            package init(row: Row) throws {
                id = try row["id"]
                webhook = try row["webhook"]
                subject = try row["subject"]
                kind = try row["kind"]
                status = try row["status"]
                attempts = try row["attempts"]
                lastError = try row["last_error"]
                summary = try row["summary"]
                createdAt = try row["created_at"]
                nextAttemptAt = try row["next_attempt_at"]
                deliveredAt = try row["delivered_at"]
            }
        }
    }

    /// `notifications_retry`: makes `id` (nil: every dead letter) due now.
    package struct Retry: Statement {
        package static let file = QueryFile.notificationsRetry
        package var id: String?
        package init(id: String?) { self.id = id }
        package var bindings: [PostgresValue] { [.string(id)] }

        /// An entry made due.
        package struct Record: RowDecodable {
            package var id: String
            package init(row: Row) throws { id = try row["id"] }
        }
    }

    /// `notifications_counts`: backlog and dead letters.
    package struct Counts: Statement {
        package static let file = QueryFile.notificationsCounts
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// The two figures.
        package struct Record: RowDecodable {
            package var backlog: Int64, deadLetters: Int64
            package init(row: Row) throws {
                backlog = try row["backlog"]
                deadLetters = try row["dead_letters"]
            }
        }
    }

    /// A write or an event by seq, with its document.
    package struct LogRecord: RowDecodable {
        package var seq: Int64, doc: JSONValue
        package init(row: Row) throws {
            seq = try row["seq"]
            doc = try row["doc"]
        }
    }
}
