package import LocktrailCore
package import LocktrailPostgres

/// The statements on `sources` and `source_items` (a polling source's status and snapshot).
/// `SourceStore` still runs these files by name while the collector moves behind the store;
/// these are the types it is to run them through.
package enum SourceStatements {
    /// `sources_ensure`: registers a source.
    package struct Ensure: Statement {
        package static let file = QueryFile.sourcesEnsure
        package var source: String, kind: String
        package init(source: String, kind: String) { (self.source, self.kind) = (source, kind) }
        package var bindings: [PostgresValue] { [.string(source), .string(kind)] }
    }

    /// `sources_list`: every source and its status.
    package struct List: Statement {
        package static let file = QueryFile.sourcesList
        package init() {}
        package var bindings: [PostgresValue] { [] }

        /// A source, its status and its lease (or a lease that is no source's).
        package struct Record: RowDecodable {
            package var source: String, kind: String, status: String
            package var lastScanStarted: Timestamp?, lastScanCompleted: Timestamp?
            package var failures: Int, lastError: String?, lastFailureAt: Timestamp?, items: Int
            package var leaseHost: String?, leasePid: Int?, leaseToken: Int64?, leaseExpiresAt: Timestamp?
            package var leaseHeld: Bool, now: Timestamp
            package var lastSuccess: Timestamp?, pushVia: String?, queue: String?, pushReadThrough: Timestamp?, queueNewestSentAt: Timestamp?
            package init(row: Row) throws {
                source = try row["source"]
                kind = try row["kind"]
                status = try row["status"]
                lastScanStarted = try row["last_scan_started"]
                lastScanCompleted = try row["last_scan_completed"]
                failures = try row["failures"]
                lastError = try row["last_error"]
                lastFailureAt = try row["last_failure_at"]
                items = try row["items"]
                leaseHost = try row["lease_host"]
                leasePid = try row["lease_pid"]
                leaseToken = try row["lease_token"]
                leaseExpiresAt = try row["lease_expires_at"]
                leaseHeld = try row["lease_held"]
                now = try row["now"]
                lastSuccess = try row["last_success"]
                pushVia = try row["push_via"]
                queue = try row["queue"]
                pushReadThrough = try row["push_read_through"]
                queueNewestSentAt = try row["queue_newest_sent_at"]
            }
        }
    }

    /// `sources_read`: one source's status.
    package struct Read: Statement {
        package static let file = QueryFile.sourcesRead
        package var source: String
        package init(source: String) { self.source = source }
        package var bindings: [PostgresValue] { [.string(source)] }

        /// Its status.
        package struct Record: RowDecodable {
            package var status: String, lastScanStarted: Timestamp?, lastScanCompleted: Timestamp?
            package var failures: Int, lastError: String?, lastFailureAt: Timestamp?, items: Int
            package init(row: Row) throws {
                status = try row["status"]
                lastScanStarted = try row["last_scan_started"]
                lastScanCompleted = try row["last_scan_completed"]
                failures = try row["failures"]
                lastError = try row["last_error"]
                lastFailureAt = try row["last_failure_at"]
                items = try row["items"]
            }
        }
    }

    /// `sources_lock`: one source's status, row-locked for the committing cycle.
    package struct Lock: Statement {
        package static let file = QueryFile.sourcesLock
        package var source: String
        package init(source: String) { self.source = source }
        package var bindings: [PostgresValue] { [.string(source)] }

        /// The status the cycle checks.
        package struct Record: RowDecodable {
            package var status: String, lastScanStarted: Timestamp?, lastScanCompleted: Timestamp?
            package init(row: Row) throws {
                status = try row["status"]
                lastScanStarted = try row["last_scan_started"]
                lastScanCompleted = try row["last_scan_completed"]
            }
        }
    }

    /// `sources_record_success`: a committed cycle's status, window and item count.
    package struct RecordSuccess: Statement {
        package static let file = QueryFile.sourcesRecordSuccess
        package var source: String, status: String, started: Timestamp, completed: Timestamp, items: Int
        package init(source: String, status: String, started: Timestamp, completed: Timestamp, items: Int) {
            (self.source, self.status, self.started, self.completed, self.items) = (source, status, started, completed, items)
        }
        package var bindings: [PostgresValue] {
            [.string(source), .string(status), .timestamp(started), .timestamp(completed), .int(Int64(items))]
        }
    }

    /// `sources_record_failure`: a failed cycle.
    package struct RecordFailure: Statement {
        package static let file = QueryFile.sourcesRecordFailure
        package var source: String, error: String, at: Timestamp
        package init(source: String, error: String, at: Timestamp) { (self.source, self.error, self.at) = (source, error, at) }
        package var bindings: [PostgresValue] { [.string(source), .string(error), .timestamp(at)] }
    }

    /// `source_items_load`: a source's snapshot.
    package struct ItemsLoad: Statement {
        package static let file = QueryFile.sourceItemsLoad
        package var source: String
        package init(source: String) { self.source = source }
        package var bindings: [PostgresValue] { [.string(source)] }

        /// One snapshot item.
        package struct Record: RowDecodable {
            package var key: String, kind: String, value: String?
            package init(row: Row) throws {
                key = try row["item_key"]
                kind = try row["kind"]
                value = try row["value"]
            }
        }
    }

    /// `source_items_upsert`: sets snapshot items (parallel arrays of keys, kinds and values).
    package struct ItemsUpsert: Statement {
        package static let file = QueryFile.sourceItemsUpsert
        package var source: String, keys: [String], kinds: [String], values: [String]
        package init(source: String, keys: [String], kinds: [String], values: [String]) {
            (self.source, self.keys, self.kinds, self.values) = (source, keys, kinds, values)
        }
        package var bindings: [PostgresValue] { [.string(source), .textArray(keys), .textArray(kinds), .textArray(values)] }
    }

    /// `source_items_delete`: removes snapshot items.
    package struct ItemsDelete: Statement {
        package static let file = QueryFile.sourceItemsDelete
        package var source: String, keys: [String]
        package init(source: String, keys: [String]) { (self.source, self.keys) = (source, keys) }
        package var bindings: [PostgresValue] { [.string(source), .textArray(keys)] }
    }

    /// `source_items_clear`: forgets a source's whole snapshot.
    package struct ItemsClear: Statement {
        package static let file = QueryFile.sourceItemsClear
        package var source: String
        package init(source: String) { self.source = source }
        package var bindings: [PostgresValue] { [.string(source)] }
    }
}
