public import Foundation
public import LocktrailCore
import LocktrailCrypto
import Yams

/// `locktrail serve --notifications FILE` (YAML): the webhooks and how deliveries are made.
///
/// ```yaml
/// interval: 10s                  # how often the notifier looks at new events and stale locks
/// delivery:
///   max_attempts: 8              # then the delivery is a dead letter
///   initial_backoff: 10s         # doubled after each failure …
///   max_backoff: 1h              # … up to this
///   timeout: 10s                 # per attempt
///   allow_private_networks: false
/// webhooks:
///   - name: platform             # optional: part of every delivery id
///     url: https://hooks.example.com/locktrail     # or url_env: VAR
///     events: [forced, stale, unlocked_write, contention, coverage_gap]
///     format: json               # or slack
///     secret_env: LOCKTRAIL_WEBHOOK_SECRET
///     stale_after: 1h
/// ```
public struct NotificationConfiguration: Sendable {
    /// One webhook, resolved: its URL and secret read from the environment where named.
    public struct Webhook: Sendable {
        public enum Format: String, Sendable { case json, slack }
        public var name: String
        /// The receiver's URL; it may carry a token (Slack's do): never logged.
        public var url: String
        public var kinds: Set<NotificationKind>
        public var format: Format
        /// The HMAC key of `json` deliveries; nil sends them unsigned.
        public var secret: [UInt8]?
        public var staleAfter: Double

        /// What the planner needs of it.
        public var rule: NotificationRule { NotificationRule(webhook: name, kinds: kinds, staleAfter: staleAfter) }
    }

    public var interval: Double
    public var maxAttempts: Int
    public var backoff: DeliveryBackoff
    public var timeout: Double
    public var allowPrivateNetworks: Bool
    public var webhooks: [Webhook]

    /// The rules the notifier plans with.
    public var rules: [NotificationRule] { webhooks.map(\.rule) }

    /// The webhook named `name`.
    public func webhook(named name: String) -> Webhook? { webhooks.first { $0.name == name } }

    /// Reads and checks `path`; `environment` supplies `url_env` and `secret_env`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> NotificationConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw NotificationConfigurationError("cannot read the notifications file \(path): \(error.localizedDescription)")
        }
        return try parse(text, path: path, environment: environment)
    }

    /// Parses and checks `text` (from `path`, for messages). Errors never show a URL or a secret.
    public static func parse(_ text: String, path: String = "notifications", environment: [String: String]) throws -> NotificationConfiguration {
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: text)
        } catch let error as DecodingError {
            throw NotificationConfigurationError("\(path): \(describe(error))")
        } catch {
            throw NotificationConfigurationError("\(path) is not valid YAML: \(error)")
        }
        try checkKeys(text, path: path)
        func duration(_ text: String?, _ field: String, default value: Double) throws -> Double {
            guard let text else { return value }
            guard let seconds = TimeExpression.duration(text, bareNumberIsSeconds: true) else {
                throw NotificationConfigurationError("\(path): \(field) \"\(text)\" is not a duration such as 30s, 5m or 1h")
            }
            return seconds
        }
        guard let listed = file.webhooks, !listed.isEmpty else { throw NotificationConfigurationError("\(path): `webhooks` lists no webhook") }
        let delivery = file.delivery ?? Delivery()
        let maxAttempts = delivery.maxAttempts ?? 8
        guard (1...100).contains(maxAttempts) else {
            throw NotificationConfigurationError("\(path): delivery.max_attempts must be between 1 and 100")
        }
        let initial = try duration(delivery.initialBackoff, "delivery.initial_backoff", default: 10)
        let configuration = NotificationConfiguration(
            interval: try duration(file.interval, "interval", default: 10),
            maxAttempts: maxAttempts,
            backoff: DeliveryBackoff(initial: initial, maximum: try duration(delivery.maxBackoff, "delivery.max_backoff", default: 3600)),
            timeout: try duration(delivery.timeout, "delivery.timeout", default: 10),
            allowPrivateNetworks: delivery.allowPrivateNetworks ?? false,
            webhooks: try listed.enumerated().map { index, hook in
                try resolve(hook, index: index, path: path, environment: environment, duration: duration)
            })
        var names = Set<String>()
        for hook in configuration.webhooks where !names.insert(hook.name).inserted {
            throw NotificationConfigurationError("\(path): two webhooks are named \(hook.name); give each its own `name`")
        }
        return configuration
    }

    private static func resolve(
        _ hook: File.Hook, index: Int, path: String, environment: [String: String],
        duration: (String?, String, Double) throws -> Double
    ) throws -> Webhook {
        let at = "\(path): webhooks[\(index)]"
        let url: String
        switch (hook.url, hook.urlEnv) {
        case (let given?, nil): url = given
        case (nil, let variable?):
            guard let value = environment[variable], !value.isEmpty else {
                throw NotificationConfigurationError("\(at): url_env names \(variable), which is not set")
            }
            url = value
        case (_?, _?): throw NotificationConfigurationError("\(at) has both url and url_env; give one")
        case (nil, nil): throw NotificationConfigurationError("\(at) has no url (or url_env)")
        }
        guard let scheme = URLComponents(string: url)?.scheme?.lowercased(), ["http", "https"].contains(scheme),
            URLComponents(string: url)?.host?.isEmpty == false
        else {
            throw NotificationConfigurationError("\(at): url must be an absolute http:// or https:// URL")
        }
        guard let events = hook.events, !events.isEmpty else {
            throw NotificationConfigurationError("\(at): `events` lists none of \(NotificationKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var kinds = Set<NotificationKind>()
        for name in events {
            guard let kind = NotificationKind(rawValue: name) else {
                throw NotificationConfigurationError(
                    "\(at): unknown event \(name) (known: \(NotificationKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            kinds.insert(kind)
        }
        let format: Webhook.Format
        switch hook.format ?? "json" {
        case "json": format = .json
        case "slack": format = .slack
        case let other: throw NotificationConfigurationError("\(at): format must be json or slack, not \(other)")
        }
        var secret: [UInt8]?
        if let variable = hook.secretEnv {
            guard let value = environment[variable], !value.isEmpty else {
                throw NotificationConfigurationError("\(at): secret_env names \(variable), which is not set")
            }
            secret = Array(value.utf8)
        }
        if format == .slack, secret != nil {
            throw NotificationConfigurationError("\(at): Slack incoming webhooks take no signature; remove secret_env (the URL itself is the secret)")
        }
        let name = hook.name ?? ("webhook-" + Hex.encode(Digest.sha256(url).prefix(4)))
        guard !name.isEmpty, name.count <= 100 else { throw NotificationConfigurationError("\(at): name must be 1 to 100 characters") }
        return Webhook(
            name: name, url: url, kinds: kinds, format: format, secret: secret,
            staleAfter: try duration(hook.staleAfter, "webhooks[\(index)].stale_after", 3600))
    }

    /// Unknown keys are errors, not silently ignored: `on:` (which YAML 1.1 reads as `true`) or
    /// a misspelt `secret_env` would otherwise drop a webhook's meaning without a word.
    private static func checkKeys(_ text: String, path: String) throws {
        guard let top = (try? Yams.load(yaml: text)) as? [AnyHashable: Any] else { return }
        func check(_ object: Any?, _ allowed: Set<String>, _ at: String) throws {
            guard let object = object as? [AnyHashable: Any] else { return }
            for key in object.keys {
                let name = (key.base as? String) ?? "\(key.base)"
                guard (key.base as? String).map(allowed.contains) == true else {
                    throw NotificationConfigurationError("\(path): unknown key `\(name)`\(at) (known: \(allowed.sorted().joined(separator: ", ")))")
                }
            }
        }
        try check(top, ["interval", "delivery", "webhooks"], "")
        try check(top["delivery"], ["max_attempts", "initial_backoff", "max_backoff", "timeout", "allow_private_networks"], " in delivery")
        for (index, hook) in ((top["webhooks"] as? [Any]) ?? []).enumerated() {
            try check(hook, ["name", "url", "url_env", "events", "format", "secret_env", "stale_after"], " in webhooks[\(index)]")
        }
    }

    private struct File: Decodable {
        var interval: String?
        var delivery: Delivery?
        var webhooks: [Hook]?

        struct Hook: Decodable {
            var name: String?, url: String?, urlEnv: String?, events: [String]?, format: String?, secretEnv: String?, staleAfter: String?
            enum CodingKeys: String, CodingKey {
                case name, url, urlEnv = "url_env", events, format, secretEnv = "secret_env", staleAfter = "stale_after"
            }
        }
    }

    private struct Delivery: Decodable {
        var maxAttempts: Int?, initialBackoff: String?, maxBackoff: String?, timeout: String?, allowPrivateNetworks: Bool?
        init() {}
        enum CodingKeys: String, CodingKey {
            case maxAttempts = "max_attempts", initialBackoff = "initial_backoff", maxBackoff = "max_backoff", timeout
            case allowPrivateNetworks = "allow_private_networks"
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing `\(key.stringValue)` at \(path(context).isEmpty ? "top level" : path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong type at \(path(context))"
        case .dataCorrupted(let context): return "unreadable value at \(path(context))"
        @unknown default: return "unreadable notifications file"
        }
    }
}

/// A problem with the notifications file, in one sentence (never with a URL or a secret).
public struct NotificationConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
