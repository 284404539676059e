import LocktrailPostgres

extension Store {
    /// Whether `error` says the database cannot be reached right now — no connection, a
    /// connection lost (a failover, a partition), the server shutting down or starting, or a
    /// standby answering after a failover — so a caller may answer "try again shortly" rather
    /// than report a fault.
    public static func isUnavailable(_ error: any Error) -> Bool {
        guard let error = error as? PostgresError else { return false }
        switch error.kind {
        case .connection, .connectionLost: return true
        case .server:
            // 08…: connection exceptions; 57P01–03: shutdown, crash, cannot connect now; 25006: read-only.
            return error.sqlState.map { $0.hasPrefix("08") || ["57P01", "57P02", "57P03", "25006"].contains($0) } ?? false
        case .copy, .decoding: return false
        }
    }
}
