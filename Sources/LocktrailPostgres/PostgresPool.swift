import Dispatch

/// A small pool of PostgreSQL connections. Blocking libpq work runs on a Dispatch queue, never
/// on Swift's cooperative thread pool; each connection is lent to one caller at a time.
public actor PostgresPool {
    private let conninfo: String
    private let maxConnections: Int
    private var idle: [PostgresConnection] = []
    private var opened = 0
    private var waiters: [CheckedContinuation<PostgresConnection?, Never>] = []
    private var closed = false
    private static let blockingQueue = DispatchQueue(label: "locktrail.postgres", attributes: .concurrent)

    /// The connection string, for a caller that needs a connection of its own outside the pool
    /// (the notifier's session holds an advisory lock for as long as it lives). It may carry a
    /// password: never log it.
    public nonisolated var connectionString: String { conninfo }

    /// A pool connecting with `conninfo` (empty: libpq's `PG*` variables), at most `maxConnections` open.
    public init(conninfo: String, maxConnections: Int = 4) {
        self.conninfo = conninfo
        self.maxConnections = max(1, maxConnections)
    }

    /// Runs blocking `body` with a connection, off the cooperative pool. A connection that broke
    /// is discarded rather than returned to the pool.
    @discardableResult
    public nonisolated func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let connection = try await checkOut()
        let result: Result<T, any Error> = await Self.runBlocking { Result { try body(connection) } }
        await checkIn(connection)
        return try result.get()
    }

    /// Runs blocking `body` on the pool's Dispatch queue and awaits its result.
    public static func runBlocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            blockingQueue.async { continuation.resume(returning: body()) }
        }
    }

    /// Closes idle connections and refuses new work.
    public func close() {
        closed = true
        idle.removeAll()
        for waiter in waiters { waiter.resume(returning: nil) }
        waiters.removeAll()
    }

    private func checkOut() async throws -> PostgresConnection {
        while true {
            if closed { throw PostgresError(kind: .connection, message: "the connection pool is closed") }
            if let connection = idle.popLast() {
                if connection.isStillConnected { return connection }
                opened -= 1  // dropped: the server closed it, or its peer vanished while it idled
                continue
            }
            if opened < maxConnections {
                opened += 1
                let conninfo = self.conninfo
                let result: Result<PostgresConnection, PostgresError> = await Self.runBlocking {
                    do throws(PostgresError) { return .success(try PostgresConnection(conninfo: conninfo)) } catch { return .failure(error) }
                }
                switch result {
                case .success(let connection): return connection
                case .failure(let error):
                    opened -= 1
                    wakeOne(with: nil)
                    throw error
                }
            }
            if let handed = await withCheckedContinuation({ waiters.append($0) }) { return handed }
        }
    }

    private func checkIn(_ connection: PostgresConnection) {
        guard connection.isHealthy, !closed else {
            opened -= 1
            wakeOne(with: nil)  // a waiter may open a fresh connection in its place
            return
        }
        if waiters.isEmpty { idle.append(connection) } else { waiters.removeFirst().resume(returning: connection) }
    }

    private func wakeOne(with connection: PostgresConnection?) {
        if !waiters.isEmpty { waiters.removeFirst().resume(returning: connection) }
    }
}
