import LocktrailCore
import Testing

@Suite("The derivation's readings of evidence")
struct DerivationRulesTests {
    @Test(
        "only a gone lock or another ID is evidence of removal",
        arguments: [
            // Terraform 1.11.4's own texts (DynamoDB item removed; lock file removed; replaced lock).
            (
                "failed to retrieve lock info for lock ID \"0716df6d-9fd1-92f0-0ac3-d92228d9ff22\": unexpected end of JSON input",
                ReleaseFailureCause.lockGone
            ),
            (
                "unable to retrieve file from S3 bucket 'b' with key 'app/terraform.tfstate.tflock': operation error S3: GetObject, https response error StatusCode: 404, RequestID: 1, HostID: 2, NoSuchKey:",
                .lockGone
            ),
            ("lock ID \"abc\" does not match existing lock (\"def\")", .otherLock),
            // Network, throttling, permission and unknown errors say nothing about the lock.
            (
                "failed to retrieve lock info for lock ID \"x\": operation error DynamoDB: GetItem, exceeded maximum number of attempts, 3, https response error StatusCode: 0, request send failed, dial tcp 127.0.0.1:4566: connect: connection refused",
                .other
            ),
            (
                "failed to retrieve lock info for lock ID \"x\": operation error DynamoDB: GetItem, https response error StatusCode: 400, ThrottlingException: Rate of requests exceeds the allowed throughput",
                .other
            ),
            (
                "operation error DynamoDB: DeleteItem, https response error StatusCode: 400, AccessDeniedException: User is not authorized to perform: dynamodb:DeleteItem",
                .other
            ),
            ("context deadline exceeded", .other),
        ] as [(String, ReleaseFailureCause)])
    func releaseFailureCause(_ message: String, _ expected: ReleaseFailureCause) {
        #expect(ReleaseFailureCause(message: message) == expected)
        #expect(ReleaseFailureCause(message: message).provesRemoval == (expected != .other))
    }

    @Test func noMessageIsNoEvidence() {
        #expect(ReleaseFailureCause(message: nil) == .other)
    }

    static let t = Timestamp(parsing: "2025-03-04T05:06:07Z")!

    @Test(
        "S3's whole seconds become [t, t + 1 s); other times stay as they are",
        arguments: [
            ("s3-lockfile", EventTime.exact(t), "second"),
            ("s3-state", .exact(t), "second"),
            ("s3-state", .exact(t.adding(microseconds: 250_000)), "exact"),  // not a whole second: S3 did not truncate it
            ("dynamodb", .exact(t), "exact"),
            ("hook", .exact(t), "exact"),
            ("s3-lockfile", .between(after: t, notAfter: t.adding(seconds: 30)), "bounded"),
        ] as [(String, EventTime, String)])
    func s3Seconds(_ mechanism: String, _ time: EventTime, _ precision: String) {
        let event = Event(key: "k", kind: .lockAcquired, source: "s", mechanism: Mechanism(rawValue: mechanism)!, time: time, observedAt: Self.t)
        let modelled = DerivationRules.modelled(event)
        #expect(modelled.precision == precision)
        if precision == "second" {
            #expect(modelled.earliest == Self.t)
            #expect(modelled.latest == Self.t.adding(microseconds: 999_999))
            #expect(modelled.boundsJSON(prefix: "x")["x_precision"] == "second")
        }
    }
}
