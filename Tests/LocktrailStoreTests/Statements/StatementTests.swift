import LocktrailPostgres
import LocktrailTestSupport
import Testing

@testable import LocktrailStore

/// Statements and their files agree, and rows are read by column name.
@Suite("Typed statements")
struct StatementTests {
    @Test("every file of queries/ has exactly one statement, and every statement names an embedded file")
    func everyFileHasOneStatement() {
        let named = Statements.files.map(\.name)
        #expect(named.count == Set(named).count, "two statements name the same file")
        let files = Set(QueryFile.all.map(\.name))
        #expect(files.subtracting(named).sorted() == [], "files without a statement")
        #expect(Set(named).subtracting(files).sorted() == [], "statements without a file")
    }

    @Test(
        "generated constants carry the file's name and SQL",
        arguments: [
            (QueryFile.holdsCurrent, "holds_current"), (QueryFile.eventsCopy, "events_copy"), (QueryFile.s3BackfillRead, "s3_backfill_read"),
        ])
    func generatedConstants(file: QueryFile, name: String) {
        #expect(file.name == name)
        #expect(file.sql == EmbeddedSQL.queries[name])
        #expect(!file.sql.isEmpty)
    }

    /// Reads the chain head with a column it does not have, or as the wrong type.
    struct MisnamedHead: Statement {
        static let file = QueryFile.chainHeadRead
        var bindings: [PostgresValue] { [] }
        struct Record: RowDecodable {
            var seq: Int64
            init(row: Row) throws { seq = try row["sequence"] }
        }
    }

    struct HeadHashAsNumber: Statement {
        static let file = QueryFile.chainHeadRead
        var bindings: [PostgresValue] { [] }
        struct Record: RowDecodable {
            var hash: Int64
            init(row: Row) throws { hash = try row["hash"] }
        }
    }

    @Test("a row is read by column name: a missing column or an unreadable value is an error naming the column and the query")
    func decodingByName() async throws {
        let db = try await TestDatabase.make()
        let head = try await db.pool.withConnection { try $0.first(EventStatements.HeadRead()) }
        #expect(head?.seq == 0)
        #expect(head?.hash.count == 32)
        await #expect {
            _ = try await db.pool.withConnection { try $0.first(MisnamedHead()) }
        } throws: { error in
            let e = error as? PostgresError
            return e?.kind == .decoding && e?.message.contains("'sequence'") == true && e?.context == "chain_head_read"
        }
        await #expect {
            _ = try await db.pool.withConnection { try $0.first(HeadHashAsNumber()) }
        } throws: { error in
            (error as? PostgresError)?.description.contains("column 'hash'") == true
        }
    }
}
