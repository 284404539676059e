import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailStore
import LocktrailTestSupport
import Testing

@Suite("Collector configuration file")
struct CollectorConfigurationTests {
    @Test("a file with several sources across regions and profiles")
    func parses() throws {
        let c = try CollectorConfiguration.parse(
            """
            interval: 1m
            sources:
              - dynamodb_table: terraform-locks
                region: eu-west-1
                profile: prod
                interval: 15s
              - dynamodb_table: platform-locks
                workspace_key_prefix: envs
                endpoint_url: http://127.0.0.1:5000
            """)
        #expect(c.interval == "1m")
        #expect(
            c.sources == [
                .init(dynamoDBTable: "terraform-locks", region: "eu-west-1", profile: "prod", interval: "15s"),
                .init(dynamoDBTable: "platform-locks", workspaceKeyPrefix: "envs", endpointURL: "http://127.0.0.1:5000"),
            ])
    }

    @Test(
        "mistakes are named with the file and the place",
        arguments: [
            ("sources: []", "lists no source"),
            ("interval: 5m", "missing `sources`"),
            ("sources:\n  - region: us-east-1", "source 1 has no dynamodb_table or s3_bucket"),
            ("sources:\n  - dynamodb_table: t\n    s3_bucket: b", "names both"),
            ("sources:\n  - dynamodb_table: t\n    interval: soon", "is not a duration"),
            ("sources: [unclosed", "not valid YAML"),
            ("sources:\n  - dynamodb_table: [1, 2]", "wrong type at sources.[0].dynamodb_table"),
        ])
    func mistakes(_ text: String, _ message: String) {
        do {
            _ = try CollectorConfiguration.parse(text, path: "collect.yaml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".contains("collect.yaml"))
        }
    }

    @Test("collect --once --config collects every listed table")
    func collectWithConfig() async throws {
        let client = try TestAWS.dynamoDB()
        let tables = [TestAWS.uniqueName("locks"), TestAWS.uniqueName("locks")]
        for table in tables {
            _ = try await client.createTable(table)
            try await client.putItem(
                table: table, item: ["LockID": .string("b/\(table).tfstate-md5"), "Digest": .string("0123456789abcdef0123456789abcdef")])
        }
        let db = try await TestDatabase.make()
        let file = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("collect-\(UUID().uuidString.prefix(6)).yaml")
        try """
        sources:
          - dynamodb_table: \(tables[0])
            region: us-east-1
            endpoint_url: \(TestAWS.endpoint)
          - dynamodb_table: \(tables[1])
            region: us-east-1
            interval: 10s
            workspace_key_prefix: envs
            endpoint_url: \(TestAWS.endpoint)
        """.write(to: file, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in TestAWS.environment where k != "AWS_ENDPOINT_URL" && k != "AWS_REGION" { environment[k] = v }
        environment.removeValue(forKey: "AWS_ENDPOINT_URL")
        environment.removeValue(forKey: "AWS_REGION")
        environment["DATABASE_URL"] = db.conninfo
        let run = try Spawned(
            [CollectorFaultTests.binary, "collect", "--once", "--config", file.path], environment: environment,
            directory: URL(fileURLWithPath: NSTemporaryDirectory()))
        #expect(await run.wait() == 0, "\(run.output)")
        #expect(run.output.contains("dynamodb:us-east-1/\(tables[0]): 1 items, 1 new events"))
        #expect(run.output.contains("dynamodb:us-east-1/\(tables[1]): 1 items, 1 new events"))
    }
}
