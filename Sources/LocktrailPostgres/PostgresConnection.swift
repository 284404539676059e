internal import CLibPQ
import Foundation

/// One PostgreSQL connection over libpq, the single owner of its `PGconn`.
///
/// Every method blocks: call them only from code running on a `PostgresPool` connection queue
/// (`PostgresPool.withConnection`), never on Swift's cooperative thread pool. A connection is used
/// by one caller at a time; the pool guarantees that, hence `@unchecked Sendable`.
public final class PostgresConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private var prepared: Set<String> = []

    /// Connects with `conninfo` (a URL or `key=value` string; empty means libpq's own `PG*`
    /// variables, service file and pgpass). Blocks.
    public init(conninfo: String) throws(PostgresError) {
        // expand_dbname=1: the "dbname" value may be a whole connection string or URL. libpq lets
        // a later entry win, so the network defaults, placed before it, yield to the string's own.
        let defaults = NetworkDefaults.options(for: conninfo, environment: ProcessInfo.processInfo.environment)
        let keys = defaults.map(\.keyword) + ["dbname", "fallback_application_name", "client_encoding"]
        let values = defaults.map(\.value) + [conninfo, "locktrail", "UTF8"]
        let conn: OpaquePointer? = withCStrings(keys) { k in
            withCStrings(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let conn else { throw PostgresError(kind: .connection, message: "libpq could not allocate a connection") }
        guard PQstatus(conn) == CONNECTION_OK else {
            // libpq's first line says what failed; the rest are hints we replace with our own.
            let full = ConnectionString.scrub(Self.trim(String(cString: PQerrorMessage(conn))), secretsOf: conninfo)
            let first = full.split(separator: "\n").first.map(String.init) ?? full
            PQfinish(conn)
            throw PostgresError(kind: .connection, message: first, detail: full == first ? nil : full)
        }
        handle = conn
        // Times are exchanged as UTC ISO text; the chain hashes what comes back. The server is
        // asked to give up on this session as soon as libpq gives up on the server.
        _ = try execute(
            "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'"
                + NetworkDefaults.serverSide(Self.options(of: conn), overTCP: Self.isTCP(conn)))
    }

    /// The options libpq connected `conn` with (the string's, the environment's, the defaults).
    private static func options(of conn: OpaquePointer) -> [String: String] {
        guard let all = PQconninfo(conn) else { return [:] }
        defer { PQconninfoFree(all) }
        var options: [String: String] = [:]
        var cursor = all
        while let keyword = cursor.pointee.keyword {
            if let value = cursor.pointee.val { options[String(cString: keyword)] = String(cString: value) }
            cursor += 1
        }
        return options
    }

    /// Whether `conn` reached its server over TCP rather than a unix socket.
    private static func isTCP(_ conn: OpaquePointer) -> Bool {
        guard let host = PQhost(conn).map({ String(cString: $0) }), !host.isEmpty else { return false }
        return !host.hasPrefix("/") && !host.hasPrefix("@")
    }

    deinit { PQfinish(handle) }

    /// Whether the connection is still usable.
    public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Whether an idle connection is still connected: reads what the server sent meanwhile
    /// without waiting (libpq's socket is non-blocking), so a connection the server closed, or
    /// that TCP keepalives found dead, shows as broken before a caller's query fails on it.
    /// Two reads: a server that ended the session says so (FATAL) before it closes, and the first
    /// read takes those words, the second meets the end.
    public var isStillConnected: Bool {
        PQconsumeInput(handle) == 1 && PQconsumeInput(handle) == 1 && PQstatus(handle) == CONNECTION_OK
    }

    /// The server's version number, e.g. 150018.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs one or more statements without parameters (migrations, `SET`, `BEGIN`).
    @discardableResult
    public func execute(_ sql: String, context: String? = nil) throws(PostgresError) -> PostgresResult {
        try check(PQexec(handle, sql), context: context)
    }

    /// Runs one statement with bound text parameters (`$1`, `$2`, …). Values are never spliced.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = [], context: String? = nil) throws(PostgresError) -> PostgresResult {
        let result = withParameters(parameters) { count, values in
            PQexecParams(handle, sql, count, nil, values, nil, nil, 0)
        }
        return try check(result, context: context)
    }

    /// Prepares `sql` under `name` without running it (checks it against the schema).
    public func prepare(name: String, sql: String) throws(PostgresError) {
        try check(PQprepare(handle, name, sql, 0, nil), context: name)
        prepared.insert(name)
    }

    /// Runs a statement prepared once per connection under `name` (named queries use this).
    @discardableResult
    public func execute(prepared name: String, sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresResult {
        if !prepared.contains(name) {
            try check(PQprepare(handle, name, sql, 0, nil), context: name)
            prepared.insert(name)
        }
        let result = withParameters(parameters) { count, values in
            PQexecPrepared(handle, name, count, values, nil, nil, 0)
        }
        return try check(result, context: name)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(isolation: String? = nil, _ body: () throws -> T) throws -> T {
        try execute(isolation.map { "BEGIN ISOLATION LEVEL \($0)" } ?? "BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if PQtransactionStatus(handle) != PQTRANS_IDLE { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Streams `COPY … FROM STDIN` (text format) data produced by `body` in chunks.
    public func copyIn(_ sql: String, context: String? = nil, _ body: (CopyWriter) throws -> Void) throws {
        let start = PQexec(handle, sql)
        defer { PQclear(start) }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            throw error(from: start, context: context ?? sql)
        }
        let writer = CopyWriter { [handle] bytes throws(PostgresError) in
            let ok = bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
            }
            guard ok == 1 else {
                throw PostgresError(kind: .copy, message: Self.trim(String(cString: PQerrorMessage(handle))), context: context)
            }
        }
        var failure: (any Error)?
        do { try body(writer); try writer.flush() } catch { failure = error }
        let end = failure == nil ? PQputCopyEnd(handle, nil) : PQputCopyEnd(handle, "aborted by locktrail: \(failure!)")
        if end != 1 && failure == nil {
            failure = PostgresError(kind: .copy, message: Self.trim(String(cString: PQerrorMessage(handle))), context: context)
        }
        // Drain results; the COPY's own status arrives here.
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            if status != PGRES_COMMAND_OK && failure == nil { failure = error(from: result, context: context ?? "COPY") }
        }
        if let failure { throw failure }
    }

    /// Runs a query through a server-side cursor and hands rows to `body` in batches of
    /// `batchSize`, so any number of rows is read in constant memory. Must be inside a transaction.
    public func forEachBatch(
        _ sql: String, _ parameters: [PostgresValue] = [], batchSize: Int = 5000, context: String? = nil,
        _ body: (PostgresResult) throws -> Void
    ) throws {
        let cursor = "locktrail_cursor"
        try query("DECLARE \(cursor) NO SCROLL CURSOR FOR " + sql, parameters, context: context)
        while true {
            let batch = try execute("FETCH FORWARD \(batchSize) FROM \(cursor)", context: context)
            if batch.rowCount == 0 { break }
            try body(batch)
            if batch.rowCount < batchSize { break }
        }
        try execute("CLOSE \(cursor)")
    }

    private func withParameters<R>(_ parameters: [PostgresValue], _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        // Keep every C string alive for the duration of the call.
        var storage: [UnsafeMutablePointer<CChar>?] = parameters.map { value in
            value.text.map { strdup($0.storable) }
        }
        defer { storage.forEach { free($0) } }
        return storage.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(buffer.count, 1)) {
                body(Int32(parameters.count), parameters.isEmpty ? nil : $0)
            }
        }
    }

    @discardableResult
    private func check(_ result: OpaquePointer?, context: String?) throws(PostgresError) -> PostgresResult {
        guard let result else {
            throw PostgresError(
                kind: isHealthy ? .server : .connectionLost,
                message: Self.trim(String(cString: PQerrorMessage(handle))), context: context)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(result)
        default:
            defer { PQclear(result) }
            throw error(from: result, context: context)
        }
    }

    private func error(from result: OpaquePointer?, context: String?) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let result, let p = PQresultErrorField(result, code) else { return nil }
            return String(cString: p)
        }
        let sqlState = field(locktrail_pg_diag_sqlstate())
        let primary = field(locktrail_pg_diag_message_primary()) ?? Self.trim(String(cString: PQerrorMessage(handle)))
        let lost = !isHealthy
        return PostgresError(
            kind: lost ? .connectionLost : .server, message: primary, sqlState: sqlState,
            detail: field(locktrail_pg_diag_message_detail()), hint: field(locktrail_pg_diag_message_hint()),
            constraint: field(locktrail_pg_diag_constraint_name()), context: context)
    }

    static func trim(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines) }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeMutableBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { body($0) }
    }
}

/// Buffers COPY text rows and hands them to libpq in chunks of about 256 KiB.
public final class CopyWriter {
    private var buffer: [UInt8] = []
    private let send: ([UInt8]) throws(PostgresError) -> Void

    init(send: @escaping ([UInt8]) throws(PostgresError) -> Void) {
        self.send = send
        buffer.reserveCapacity(300_000)
    }

    /// Appends one row; `nil` fields are SQL NULL. Fields are escaped for COPY's text format.
    public func row(_ fields: [String?]) throws(PostgresError) {
        // Fill a local array: appending to a class's stored property byte by byte pays a dynamic
        // exclusivity check per byte, which was most of this function's cost.
        var out: [UInt8] = []
        swap(&out, &buffer)
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(0x09) }
            guard var field else { out.append(contentsOf: [0x5c, 0x4e]); continue }  // \N
            if field.utf8.withContiguousStorageIfAvailable({ Self.appendEscaped($0, to: &out) }) == nil {
                field.makeContiguousUTF8()
                field.utf8.withContiguousStorageIfAvailable { Self.appendEscaped($0, to: &out) }
            }
        }
        out.append(0x0a)
        swap(&out, &buffer)
        if buffer.count >= 256 * 1024 { try flush() }
    }

    /// Appends `bytes` with COPY text escapes, copying runs that need none in bulk.
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var start = 0
        for i in 0..<bytes.count {
            let byte = bytes[i]
            guard byte == 0x5c || byte == 0x09 || byte == 0x0a || byte == 0x0d || byte == 0x00 else { continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
            switch byte {
            case 0x5c: out.append(contentsOf: [0x5c, 0x5c])
            case 0x09: out.append(contentsOf: [0x5c, 0x74])
            case 0x0a: out.append(contentsOf: [0x5c, 0x6e])
            case 0x0d: out.append(contentsOf: [0x5c, 0x72])
            default: out.append(contentsOf: [0xef, 0xbf, 0xbd])  // NUL → U+FFFD
            }
            start = i + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
    }

    /// Sends what is buffered.
    public func flush() throws(PostgresError) {
        guard !buffer.isEmpty else { return }
        try send(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

extension String {
    fileprivate var storable: String { utf8.contains(0) ? replacingOccurrences(of: "\0", with: "\u{FFFD}") : self }
}
