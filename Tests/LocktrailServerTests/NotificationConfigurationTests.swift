import LocktrailCore
import LocktrailNotifications
import Testing

/// The notifications file: what it accepts, and clear errors (never showing a URL or secret) for what it does not.
@Suite struct NotificationConfigurationTests {
    static let env = ["SECRET": "k3y", "SLACK": "https://hooks.slack.com/services/T/B/XYZSECRET"]

    @Test func fullFile() throws {
        let c = try NotificationConfiguration.parse(
            """
            interval: 5s
            delivery: {max_attempts: 4, initial_backoff: 2s, max_backoff: 1m, timeout: 3s}
            webhooks:
              - name: ops
                url: https://hooks.example.com/locktrail
                events: [forced, stale, unlocked_write, contention, coverage_gap]
                format: json
                secret_env: SECRET
                stale_after: 2h
              - url_env: SLACK
                events: [forced]
                format: slack
            """, environment: Self.env)
        #expect(c.interval == 5 && c.maxAttempts == 4 && c.timeout == 3 && !c.allowPrivateNetworks)
        #expect(c.backoff == DeliveryBackoff(initial: 2, maximum: 60))
        #expect(c.webhooks[0].secret == Array("k3y".utf8) && c.webhooks[0].staleAfter == 7200 && c.webhooks[0].kinds.count == 5)
        #expect(c.webhooks[1].format == .slack && c.webhooks[1].name.hasPrefix("webhook-") && c.webhooks[1].secret == nil)
    }

    @Test(
        "errors say what is wrong",
        arguments: [
            ("webhooks: []", "lists no webhook"),
            ("webhooks:\n  - url: https://x.example/h\n    on: [forced]", "unknown key `on`"),
            ("webhooks:\n  - url: https://x.example/h\n    events: [forced]\n    secret_env: NOPE", "secret_env names NOPE, which is not set"),
            ("webhooks:\n  - url: https://x.example/h\n    events: [forsed]", "unknown event forsed"),
            ("webhooks:\n  - url: file:///etc/passwd\n    events: [forced]", "http:// or https://"),
            (
                "webhooks:\n  - url_env: SLACK\n    events: [forced]\n    format: slack\n    secret_env: SECRET",
                "Slack incoming webhooks take no signature"
            ),
            (
                "webhooks:\n  - {name: a, url: 'https://x.example/1', events: [forced]}\n  - {name: a, url: 'https://x.example/2', events: [forced]}",
                "two webhooks are named a"
            ),
            ("webhooks:\n  - url: https://x.example/h\n    events: [stale]\n    stale_after: soon", "is not a duration"),
        ])
    func errors(yaml: String, message: String) {
        do {
            _ = try NotificationConfiguration.parse(yaml, environment: Self.env)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect(!"\(error)".contains("XYZSECRET") && !"\(error)".contains("k3y"))
        }
    }

    @Test(
        "the SSRF guard refuses internal addresses",
        arguments: [
            ([127, 0, 0, 1], true), ([10, 1, 2, 3], true), ([172, 20, 0, 1], true), ([192, 168, 1, 1], true), ([169, 254, 169, 254], true),
            ([100, 64, 0, 1], true), ([0, 0, 0, 0], true), ([8, 8, 8, 8], false), ([172, 32, 0, 1], false),
        ] as [([UInt8], Bool)])
    func internalV4(address: [UInt8], expected: Bool) {
        #expect(WebhookAddress.isInternal(v4: address) == expected)
    }

    @Test func internalV6() {
        #expect(WebhookAddress.isInternal(v6: [UInt8](repeating: 0, count: 15) + [1]))
        #expect(WebhookAddress.isInternal(v6: [0xfd] + [UInt8](repeating: 0, count: 15)))
        #expect(WebhookAddress.isInternal(v6: [0xfe, 0x80] + [UInt8](repeating: 0, count: 14)))
        #expect(WebhookAddress.isInternal(v6: [UInt8](repeating: 0, count: 10) + [0xff, 0xff, 127, 0, 0, 1]))
        #expect(!WebhookAddress.isInternal(v6: [0x26, 0x06, 0x47, 0x00] + [UInt8](repeating: 0, count: 11) + [1]))
        #expect(throws: (any Error).self) { try WebhookAddress.checkPublic("http://127.0.0.1:9/hook") }
    }
}
