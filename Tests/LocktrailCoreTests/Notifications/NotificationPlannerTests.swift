import LocktrailCore
import LocktrailCrypto
import Testing

/// The notifier's pure rules: which findings become which outbox entries, with which ids.
@Suite struct NotificationPlannerTests {
    static let now = Timestamp(parsing: "2026-12-01T12:00:00Z")!
    static let all = Set(NotificationKind.allCases)

    static func hold(_ id: String, heldSince minutesAgo: Double? = nil) -> NotificationCandidates.HoldCandidate {
        .init(
            lockID: id, doc: ["lock_id": .string(id), "state": "b/app.tfstate", "who": "alice@h", "forced_by": "bob", "force_reason": "stuck"],
            certainFrom: minutesAgo.map { now.adding(seconds: -$0 * 60) })
    }

    @Test("ids name the webhook and the subject only: the same finding always has the same id")
    func stableIDs() {
        var c = NotificationCandidates()
        c.forced = [Self.hold("L1")]
        let rules = [NotificationRule(webhook: "ops", kinds: Self.all, staleAfter: 3600)]
        let a = NotificationPlanner.drafts(c, rules: rules, now: Self.now)
        let b = NotificationPlanner.drafts(c, rules: rules, now: Self.now.adding(seconds: 999))
        #expect(a.map(\.id) == b.map(\.id))
        #expect(a.first?.subject == "forced:L1")
        #expect(a.first?.id == NotificationPlanner.deliveryID(webhook: "ops", subject: "forced:L1"))
        #expect(NotificationPlanner.deliveryID(webhook: "chat", subject: "forced:L1") != a.first?.id)
        #expect(a.first?.summary.contains("removed by bob (stuck)") == true)
    }

    @Test(
        "each webhook gets only the kinds it asks for, and stale only past its own threshold",
        arguments: [
            (30.0, ["L-old"]), (120.0, []), (5.0, ["L-old", "L-new"]),
        ])
    func kindsAndThresholds(staleAfterMinutes: Double, expected: [String]) {
        var c = NotificationCandidates()
        c.forced = [Self.hold("F")]
        c.held = [Self.hold("L-old", heldSince: 60), Self.hold("L-new", heldSince: 10), Self.hold("L-unseen")]
        c.coverageGaps = [.init(seq: 7, doc: ["source": "s3:b", "details": ["from": "a", "to": "b", "reason": "collector not running"]])]
        let rules = [
            NotificationRule(webhook: "stale-only", kinds: [.stale], staleAfter: staleAfterMinutes * 60),
            NotificationRule(webhook: "gaps", kinds: [.coverageGap], staleAfter: 1),
        ]
        let drafts = NotificationPlanner.drafts(c, rules: rules, now: Self.now)
        #expect(drafts.filter { $0.webhook == "stale-only" }.map(\.subject) == expected.map { "stale:\($0)" })
        #expect(drafts.filter { $0.webhook == "gaps" }.map(\.subject) == ["coverage_gap:7"])
        #expect(NotificationPlanner.smallestStaleAfter(rules) == staleAfterMinutes * 60)
    }

    @Test("the body is the canonical JSON of the notification, with its id, kind and subject document")
    func body() throws {
        var c = NotificationCandidates()
        c.unlockedWrites = [.init(seq: 42, doc: ["seq": 42, "state": "b/app.tfstate", "status": "unlocked"])]
        let draft = try #require(
            NotificationPlanner.drafts(c, rules: [NotificationRule(webhook: "w", kinds: [.unlockedWrite], staleAfter: 1)], now: Self.now).first)
        let body = try JSONParser.parse(draft.body)
        #expect(body["id"]?.stringValue == draft.id)
        #expect(body["kind"]?.stringValue == "unlocked_write")
        #expect(body["write"]?["seq"]?.numberValue == 42)
        #expect(draft.body == CanonicalJSON.string(body))
    }

    @Test("the signature is HMAC-SHA256 of timestamp.body (RFC 4231 case 2 key and message)")
    func signature() {
        // The signed message is the timestamp, a dot and the body; the HMAC itself is OpenSSL's (RFC 4231 case 2).
        let header = WebhookSignature.header(secret: Array("Jefe".utf8), timestamp: "what do ya want", body: Array(" for nothing?".utf8))
        let direct = "sha256=" + Hex.encode(Digest.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want. for nothing?".utf8)))
        #expect(header == direct)
        #expect(
            Hex.encode(Digest.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("backoff doubles from the initial delay up to the cap", arguments: [(1, 10.0), (2, 20.0), (3, 40.0), (10, 300.0)])
    func backoff(attempts: Int, seconds: Double) {
        #expect(DeliveryBackoff(initial: 10, maximum: 300).delay(afterAttempts: attempts) == seconds)
    }
}
