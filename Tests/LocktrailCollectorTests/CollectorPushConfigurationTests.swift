import Foundation
import LocktrailCollector
import LocktrailHTTP
import Logging
import Testing

/// Push settings: a bucket's queue, the reconciliation interval and per-service endpoints, from
/// flags and YAML; queue-backed buckets are read by one listener per queue, not polled.
@Suite("Collector push configuration")
struct CollectorPushConfigurationTests {
    static let process = ["HOME": "/nonexistent", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s"]

    @Test("queue_url, reconcile_interval and endpoints in the YAML; --s3-queue and --reconcile-interval for flag buckets")
    func composes() throws {
        let yaml = try CollectorConfiguration.parse(
            """
            reconcile_interval: 30m
            sources:
              - s3_bucket: a
                queue_url: https://sqs.eu-west-1.amazonaws.com/123456789012/events
                endpoints: { s3: "http://s3.local", sqs: "http://sqs.local" }
              - s3_bucket: b/teams
                queue_url: https://sqs.eu-west-1.amazonaws.com/123456789012/events
                reconcile_interval: 1h
              - s3_bucket: c
            """)
        let composition = try CollectorComposition(
            dynamoDBTables: ["locks"], s3Buckets: ["flagged"], configuration: yaml, interval: 30, workspaceKeyPrefix: "env:",
            environment: Self.process, s3Queue: "https://sqs.us-east-1.amazonaws.com/123456789012/other", reconcileInterval: 600)
        let byName = Dictionary(uniqueKeysWithValues: composition.sources.map { ($0.configured.s3Bucket ?? $0.configured.dynamoDBTable!, $0) })
        #expect(byName["flagged"]?.queueURL == "https://sqs.us-east-1.amazonaws.com/123456789012/other")
        #expect(byName["flagged"]?.reconcileInterval == 1800)  // the file's default wins over the flag's, as for interval
        #expect(byName["locks"]?.queueURL == nil)
        #expect(byName["a"]?.reconcileInterval == 1800)
        #expect(byName["b/teams"]?.reconcileInterval == 3600)
        #expect(byName["a"]?.environment["AWS_ENDPOINT_URL_SQS"] == "http://sqs.local")
        #expect(byName["a"]?.environment["AWS_ENDPOINT_URL_S3"] == "http://s3.local")
        #expect(byName["a"]?.gapThreshold == 5400.0)
        #expect(byName["c"]?.gapThreshold == 90)

        let logger = Logger(label: "test")
        let schedules = try composition.schedules(transport: CurlHTTPClient(), logger: logger)
        #expect(Set(schedules.map(\.source.name)) == ["dynamodb:us-east-1/locks", "s3:c"])
        let listeners = try composition.listeners(transport: CurlHTTPClient(), logger: logger)
        #expect(
            listeners.map(\.queueURL) == [
                "https://sqs.us-east-1.amazonaws.com/123456789012/other",
                "https://sqs.eu-west-1.amazonaws.com/123456789012/events",
            ])
        #expect(listeners.map { $0.sources.map(\.name) } == [["s3:flagged"], ["s3:a", "s3:b/teams"]])
        #expect(listeners[1].sources.map(\.reconcileInterval) == [1800, 3600])
    }

    @Test(
        "push mistakes are named",
        arguments: [
            ("sources:\n  - dynamodb_table: t\n    queue_url: https://sqs.x/1/q", "queue_url belongs to an s3_bucket source"),
            ("sources:\n  - s3_bucket: b\n    queue_url: my-queue", "must be the queue's URL"),
            ("sources:\n  - s3_bucket: b\n    reconcile_interval: often", "reconcile_interval \"often\" is not a duration"),
            ("sources:\n  - s3_bucket: b\n    endpoints: { kinesis: http://x }", "endpoints names kinesis"),
        ])
    func mistakes(_ text: String, _ message: String) {
        do {
            _ = try CollectorConfiguration.parse(text, path: "c.yaml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
