import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport
import Testing

/// The incremental derivation equals a rebuild from the event log alone.
@Suite("Rebuild equals incremental", .serialized)
struct RebuildTests {
    static func dump(_ connection: PostgresConnection) throws -> [String] {
        try connection.records(HoldStatements.Dump()).map { $0.lockID + " " + $0.doc }
            + connection.records(WriteStatements.Dump()).map { String($0.seq) + " " + $0.doc }
    }

    @Test func rebuildMatchesIncremental() async throws {
        let f = try await QueryFixture.shared.value
        let (incremental, rebuilt, report) = try await f.db.pool.withConnection { connection in
            try Derivation.catchUp(on: connection)
            let before = try Self.dump(connection)
            let report = try Derivation.rebuild(on: connection)
            return (before, try Self.dump(connection), report)
        }
        #expect(report.holds >= 4)
        #expect(incremental.count > 5)
        #expect(incremental == rebuilt)
        let again = try await f.db.pool.withConnection { try Derivation.catchUp(on: $0) }
        #expect(again.newEvents == 0)
    }
}
