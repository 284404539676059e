import Foundation
import LocktrailAWS
import LocktrailCollector
import LocktrailHTTP
import Logging
import Testing

@Suite("Collector composition: sources from flags, environment and YAML, each with its AWS settings")
struct CollectorCompositionTests {
    static let process = [
        "HOME": "/nonexistent", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIAPROCESS",
        "AWS_SECRET_ACCESS_KEY": "process-secret", "AWS_SESSION_TOKEN": "process-token",
    ]

    static func compose(
        tables: [String] = [], buckets: [String] = [], yaml: String? = nil,
        environment: [String: String] = process
    ) throws -> CollectorComposition {
        try CollectorComposition(
            dynamoDBTables: tables, s3Buckets: buckets, configuration: try yaml.map { try CollectorConfiguration.parse($0) },
            interval: 30, workspaceKeyPrefix: "env:", environment: environment)
    }

    @Test("a YAML source's profile wins over the process's AWS_* credentials; other sources keep them")
    func profileWins() async throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("compose-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentialsFile = directory.appendingPathComponent("credentials").path
        try "[prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = prod-secret\n".write(
            toFile: credentialsFile, atomically: true, encoding: .utf8)
        var environment = Self.process
        environment["AWS_SHARED_CREDENTIALS_FILE"] = credentialsFile
        environment["AWS_CONFIG_FILE"] = directory.appendingPathComponent("config").path
        let composition = try Self.compose(
            tables: ["flag-locks"],
            yaml: """
                sources:
                  - dynamodb_table: prod-locks
                    profile: prod
                """, environment: environment)
        let keys = try await composition.sources.asyncMap { source in
            let configuration = try AWSConfiguration.resolve(environment: source.environment)
            return try await DefaultCredentialsProvider(configuration: configuration, transport: CurlHTTPClient(), sources: [.environment, .profile])
                .credentials().accessKeyID
        }
        #expect(keys == ["AKIAPROCESS", "AKIAPROD"])
        #expect(composition.sources[1].environment["AWS_SESSION_TOKEN"] == nil)
        #expect(composition.sources[1].environment["AWS_PROFILE"] == "prod")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var tables: [String] = []
        var buckets: [String] = []
        var yaml: String?
        var environment: [String: String] = [:]
        /// (table or bucket, interval, workspace_key_prefix)
        var expected: [(String, Double, String)]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "flags, with the --interval default", tables: ["a"], buckets: ["b/p"], expected: [("a", 30, "env:"), ("b/p", 30, "env:")]),
        Case(
            name: "without flags, LOCKTRAIL_DYNAMODB_TABLES and LOCKTRAIL_S3_BUCKETS",
            environment: ["LOCKTRAIL_DYNAMODB_TABLES": "a, c", "LOCKTRAIL_S3_BUCKETS": "b"],
            expected: [("a", 30, "env:"), ("c", 30, "env:"), ("b", 30, "env:")]),
        Case(
            name: "flags win over the environment's lists", tables: ["a"], environment: ["LOCKTRAIL_DYNAMODB_TABLES": "z"],
            expected: [("a", 30, "env:")]),
        Case(
            name: "a source's interval beats the file's, which beats --interval", tables: ["a"],
            yaml: """
                interval: 1m
                sources:
                  - dynamodb_table: t
                    interval: 15s
                    workspace_key_prefix: envs
                  - s3_bucket: b
                """, expected: [("a", 60, "env:"), ("t", 15, "envs"), ("b", 60, "env:")]),
    ]

    @Test("sources, intervals and workspace layouts", arguments: cases)
    func sources(_ c: Case) throws {
        var environment = Self.process
        environment.merge(c.environment) { _, new in new }
        let composition = try Self.compose(tables: c.tables, buckets: c.buckets, yaml: c.yaml, environment: environment)
        let got = composition.sources.map { ($0.configured.dynamoDBTable ?? $0.configured.s3Bucket ?? "", $0.interval, $0.workspaceKeyPrefix) }
        #expect(got.map(\.0) == c.expected.map(\.0))
        #expect(got.map(\.1) == c.expected.map(\.1))
        #expect(got.map(\.2) == c.expected.map(\.2))
    }

    @Test("a source's region and endpoint go to its own service's variables")
    func regionAndEndpoint() throws {
        let composition = try Self.compose(
            yaml: """
                sources:
                  - dynamodb_table: t
                    region: eu-west-1
                    endpoint_url: http://ddb.local
                  - s3_bucket: b
                    endpoint_url: http://s3.local
                """)
        #expect(composition.sources[0].environment["AWS_REGION"] == "eu-west-1")
        #expect(composition.sources[0].environment["AWS_ENDPOINT_URL_DYNAMODB"] == "http://ddb.local")
        #expect(composition.sources[1].environment["AWS_ENDPOINT_URL_S3"] == "http://s3.local")
        #expect(composition.sources[1].environment["AWS_REGION"] == "us-east-1")
        // No profile: the process's keys stay.
        #expect(composition.sources[1].environment["AWS_ACCESS_KEY_ID"] == "AKIAPROCESS")
    }

    @Test("the schedules name each source and poll it on its interval; the gap threshold is three intervals, at least a minute")
    func schedules() throws {
        let composition = try Self.compose(tables: ["a"], buckets: ["b/p"], yaml: "sources:\n  - dynamodb_table: t\n    interval: 5m")
        let schedules = try composition.schedules(transport: CurlHTTPClient(), logger: Logger(label: "test"))
        #expect(schedules.map(\.source.name) == ["dynamodb:us-east-1/a", "s3:b/p", "dynamodb:us-east-1/t"])
        #expect(schedules.map(\.interval) == [30, 30, 300])
        #expect(composition.sources.map(\.gapThreshold) == [90, 90, 900])
        #expect(try Self.compose(tables: ["a"], yaml: nil).sources[0].gapThreshold == 90)
        let quick = try CollectorComposition(
            dynamoDBTables: ["a"], s3Buckets: [], configuration: nil, interval: 5,
            workspaceKeyPrefix: "env:", environment: Self.process)
        #expect(quick.sources[0].gapThreshold == 60)
    }

    @Test("no source anywhere is an error that says where sources come from")
    func noSources() {
        #expect(throws: CollectorComposition.NoSourcesError.self) { try Self.compose(environment: [:]) }
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
