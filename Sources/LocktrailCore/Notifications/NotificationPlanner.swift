import LocktrailCrypto

/// Turns what the store found into outbox entries, one per webhook that wants its kind: a pure
/// function of the candidates, the rules and the time, so every rule is a unit test.
public enum NotificationPlanner {
    /// The drafts for `candidates` under `rules` at `now`. Stale holds are those certainly held
    /// for at least a rule's `stale_after` (a hold whose acquire was never seen is never stale:
    /// its age is unknown).
    public static func drafts(_ candidates: NotificationCandidates, rules: [NotificationRule], now: Timestamp) -> [NotificationDraft] {
        var out: [NotificationDraft] = []
        for rule in rules {
            func add(_ kind: NotificationKind, _ subject: String, _ summary: String, _ about: [String: JSONValue]) {
                guard rule.kinds.contains(kind) else { return }
                let id = deliveryID(webhook: rule.webhook, subject: subject)
                var document: [String: JSONValue] = [
                    "id": .string(id), "kind": .string(kind.rawValue), "webhook": .string(rule.webhook),
                    "subject": .string(subject), "summary": .string(summary), "created_at": .string(now.rfc3339),
                ]
                document.merge(about) { a, _ in a }
                out.append(
                    NotificationDraft(
                        id: id, webhook: rule.webhook, subject: subject, kind: kind, summary: summary,
                        body: CanonicalJSON.string(.object(document))))
            }
            for hold in candidates.forced {
                add(.forced, "forced:\(hold.lockID)", forcedSummary(hold.doc), ["hold": hold.doc])
            }
            for hold in candidates.held {
                guard let from = hold.certainFrom, now.secondsSinceEpoch - from.secondsSinceEpoch >= rule.staleAfter else { continue }
                add(
                    .stale, "stale:\(hold.lockID)", staleSummary(hold.doc, since: from, now: now, threshold: rule.staleAfter),
                    ["hold": hold.doc, "stale_after_seconds": .number(rule.staleAfter)])
            }
            for write in candidates.unlockedWrites {
                add(.unlockedWrite, "unlocked_write:\(write.seq)", unlockedSummary(write.doc), ["write": write.doc])
            }
            for event in candidates.contentions {
                add(.contention, "contention:\(event.seq)", contentionSummary(event.doc), ["event": event.doc])
            }
            for event in candidates.coverageGaps {
                add(.coverageGap, "coverage_gap:\(event.seq)", gapSummary(event.doc), ["event": event.doc])
            }
        }
        return out
    }

    /// The delivery id of `subject` for `webhook`: `ntf_` and 32 hex digits of a SHA-256.
    public static func deliveryID(webhook: String, subject: String) -> String {
        "ntf_" + Hex.encode(Digest.sha256(webhook + "\n" + subject).prefix(16))
    }

    /// The smallest `stale_after` in seconds of the rules that want `stale`, nil when none does.
    public static func smallestStaleAfter(_ rules: [NotificationRule]) -> Double? {
        rules.filter { $0.kinds.contains(.stale) }.map(\.staleAfter).min()
    }

    static func text(_ value: JSONValue?) -> String? {
        guard let s = value?.stringValue, !s.isEmpty else { return nil }
        return s
    }

    static func forcedSummary(_ hold: JSONValue) -> String {
        var s = "Lock force-removed on \(text(hold["state"]) ?? "an unknown state"): lock \(text(hold["lock_id"]) ?? "?")"
        if let who = text(hold["who"]) { s += " held by \(who)" }
        if let by = text(hold["forced_by"]) { s += ", removed by \(by)" }
        if let reason = text(hold["force_reason"]) { s += " (\(reason))" }
        if let provenance = text(hold["force_provenance"]) { s += "; the removal was \(provenance)" }
        return s
    }

    static func staleSummary(_ hold: JSONValue, since: Timestamp, now: Timestamp, threshold: Double) -> String {
        var s = "Stale lock on \(text(hold["state"]) ?? "an unknown state"): lock \(text(hold["lock_id"]) ?? "?")"
        if let who = text(hold["who"]) { s += " held by \(who)" }
        if let operation = text(hold["operation"]) { s += " (\(operation))" }
        s +=
            ", certainly held since \(since.rfc3339Seconds) (\(duration(now.secondsSinceEpoch - since.secondsSinceEpoch)), over \(duration(threshold)))"
        if let seen = text(hold["seen_held_until"]) { s += "; last seen held at \(seen)" }
        return s
    }

    static func unlockedSummary(_ write: JSONValue) -> String {
        var s = "Write with no lock held on \(text(write["state"]) ?? "an unknown state")"
        if let at = text(write["written_at"]) ?? text(write["written_not_after"]) { s += " at \(at)" }
        if let serial = write["serial"]?.numberValue { s += ", serial \(Int64(serial))" }
        if let seq = write["seq"]?.numberValue { s += " (event \(Int64(seq)))" }
        return s
    }

    static func contentionSummary(_ event: JSONValue) -> String {
        let details = event["details"]
        var s = "Lock contention on \(text(event["state"]) ?? "an unknown state"): a run"
        if let who = text(details?["who"]) { s += " of \(who)" }
        s += " was blocked by lock \(text(event["lock_id"]) ?? "?")"
        if let holder = text(details?["holder_who"]) { s += " held by \(holder)" }
        if let token = text(details?["ingest_token"]) { s += " (reported through token \(token))" } else { s += " (reported by a client)" }
        return s
    }

    static func gapSummary(_ event: JSONValue) -> String {
        let details = event["details"]
        var s = "Coverage gap: \(text(event["source"]) ?? "a source") did not observe"
        if let state = text(event["state"]) { s += " \(state)" }
        if let from = text(details?["from"]) { s += " from \(from)" }
        if let to = text(details?["to"]) { s += " to \(to)" }
        if let reason = text(details?["reason"]) { s += ": \(reason)" }
        return s + "; history may be missing there"
    }

    /// `3d1h`, `2h5m`, `45s`.
    static func duration(_ seconds: Double) -> String {
        var rest = Int64(max(0, seconds))
        let parts: [(Int64, String)] = [(86_400, "d"), (3600, "h"), (60, "m"), (1, "s")]
        var out = ""
        for (size, unit) in parts where rest >= size || (unit == "s" && out.isEmpty) {
            out += "\(rest / size)\(unit)"
            rest %= size
            if out.count >= 4 { break }
        }
        return out
    }
}
