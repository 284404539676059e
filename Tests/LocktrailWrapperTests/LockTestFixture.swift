import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailPostgres
import LocktrailStore
import LocktrailTestSupport

/// What the unlock and maintenance-lock tests start from: a DynamoDB lock table and a state bucket
/// in the emulator, an initialised terraform project whose backend locks in them, and a fresh database.
struct LockTestFixture {
    /// The lock table (created whether or not the project locks with it).
    let table: String
    /// The state bucket.
    let bucket: String
    /// A DynamoDB client on the emulator.
    let client: DynamoDBClient
    /// The terraform project.
    let project: TerraformProject
    /// The database the `locktrail` runs use.
    let db: TestDatabase

    /// The state's lock path.
    var state: String { "\(bucket)/\(project.key)" }

    /// Creates the table and bucket, initialises the project (locking with the table when
    /// `lockWithTable`, and with the lock file when `useLockfile`) and the database.
    static func make(useLockfile: Bool, lockWithTable: Bool = true) async throws -> LockTestFixture {
        let table = TestAWS.uniqueName("locks")
        let bucket = TestAWS.uniqueName("state")
        let client = try TestAWS.dynamoDB()
        _ = try await client.createTable(table)
        try await TestAWS.createBucket(bucket)
        let project = try TerraformProject(bucket: bucket, dynamoDBTable: lockWithTable ? table : nil, useLockfile: useLockfile)
        try await project.initialize()
        let db = try await TestDatabase.make()
        return LockTestFixture(table: table, bucket: bucket, client: client, project: project, db: db)
    }

    /// Runs `locktrail ARGUMENTS` in the project's directory against the fixture's database.
    func locktrail(_ arguments: [String]) async throws -> (Int32, String) {
        let run = try project.start(arguments, extraEnvironment: ["DATABASE_URL": db.conninfo], program: LocktrailBinary.path)
        let status = await run.wait()
        return (status, run.output)
    }

    /// The first 100 events of `kind`, oldest first.
    func events(kind: String) async throws -> [Event] {
        try await db.pool.withConnection { try EventLog.list(after: 0, kind: kind, state: nil, limit: 100, on: $0) }.map(\.event)
    }
}
