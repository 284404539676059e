import LocktrailCollector
import Testing

/// The stream's options: `--no-stream`/`stream: false`, `reconcile_interval` at the top and per
/// source, and per-service endpoints.
@Suite("Collector composition: stream and reconciliation options")
struct CollectorStreamOptionsTests {
    static let yaml = """
        reconcile_interval: 20m
        sources:
          - dynamodb_table: a
          - dynamodb_table: b
            stream: false
          - dynamodb_table: c
            reconcile_interval: 90s
            endpoints:
              dynamodb_streams: http://127.0.0.1:5000
              dynamodb: http://127.0.0.1:5001
        """

    static func compose(stream: Bool = true, yaml: String? = yaml) throws -> CollectorComposition {
        try CollectorComposition(
            dynamoDBTables: [], s3Buckets: [], configuration: try yaml.map { try CollectorConfiguration.parse($0) }, interval: 30,
            workspaceKeyPrefix: "env:", environment: ["AWS_REGION": "us-east-1"], stream: stream, reconcileInterval: 600)
    }

    @Test("per source: stream on unless turned off; the source's reconcile interval, else the file's, else the flag's")
    func options() throws {
        let sources = try Self.compose().sources
        #expect(sources.map(\.stream) == [true, false, true])
        #expect(sources.map(\.reconcileInterval) == [1200, 1200, 90])
        #expect(sources[2].environment["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"] == "http://127.0.0.1:5000")
        #expect(sources[2].environment["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:5001")
        #expect(try Self.compose(stream: false).sources.allSatisfy { !$0.stream })
        let flagOnly = try CollectorComposition(
            dynamoDBTables: ["t"], s3Buckets: [], configuration: nil, interval: 30, workspaceKeyPrefix: "env:",
            environment: [:], stream: true, reconcileInterval: 300)
        #expect(flagOnly.sources.map(\.reconcileInterval) == [300])
    }

    @Test(
        "bad values are errors that say what is wrong",
        arguments: [
            ("reconcile_interval: soon\nsources:\n  - dynamodb_table: a\n", "reconcile_interval \"soon\" is not a duration"),
            ("sources:\n  - dynamodb_table: a\n    endpoints:\n      kinesis: http://x\n", "endpoints names kinesis"),
            ("sources:\n  - dynamodb_table: a\n    stream: maybe\n", "wrong type"),
        ])
    func errors(_ text: String, _ message: String) {
        #expect {
            _ = try CollectorConfiguration.parse(text)
        } throws: { error in
            String(describing: error).contains(message)
        }
    }
}
