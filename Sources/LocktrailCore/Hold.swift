/// How a hold ended.
public enum ReleaseKind: String, Hashable, Sendable, CaseIterable {
    /// It disappeared and nothing says it was forced.
    case released
    /// It was removed by someone other than its holder; `Hold.evidence` says how that is known.
    case forced
    /// It ended without a release being seen (e.g. the lock table was deleted).
    case unknown
}

/// One Terraform lock, from acquire to release, merged from every source and mechanism that saw
/// it (in dual-lock mode the DynamoDB item and the lock file share the lock ID: one hold).
public struct Hold: Hashable, Sendable {
    /// The Terraform lock ID.
    public var lockID: String
    /// The state's lock path `BUCKET/KEY`.
    public var state: String?
    /// The workspace, if known.
    public var workspace: String?
    /// The record's `Who`.
    public var who: String?
    /// The record's `Operation`.
    public var operation: String?
    /// The record's `Version`.
    public var version: String?
    /// The record's `Created`, as a time.
    public var createdAt: Timestamp?
    /// When it was acquired, from the most precise evidence; nil when no acquire was seen.
    public var acquired: EventTime?
    /// When it was released, from the most precise evidence; nil while held.
    public var released: EventTime?
    /// How it ended; nil while held.
    public var releaseKind: ReleaseKind?
    /// Who forced it, when a force-unlock names them.
    public var forcedBy: String?
    /// The reason a force-unlock gave.
    public var forceReason: String?
    /// The hook run that owned it, if one is known.
    public var runID: String?
    /// Sources that saw it, sorted.
    public var sources: [String]
    /// Mechanisms that saw it (`dynamodb`, `s3-lockfile`, …), sorted.
    public var mechanisms: [String]
    /// Every event this hold rests on, in log order.
    public var evidence: [Evidence]

    /// Whether it is still held.
    public var isHeld: Bool { released == nil }

    /// The earliest instant it can have been acquired (nil: unbounded).
    public var possibleStart: Timestamp? { acquired?.earliest }
    /// The latest instant it can have ended (nil: still held).
    public var possibleEnd: Timestamp? { released?.latest }
    /// From when it was certainly held (nil when no acquire was seen).
    public var certainStart: Timestamp? { acquired?.latest }
    /// Until when it was certainly held: the release's lower bound (nil: still held, or unknown).
    public var certainEnd: Timestamp? {
        guard let released else { return nil }
        switch released {
        case .exact(let t): return t
        case .between(let after, _): return after
        }
    }

    /// Whether it was certainly held at `t`.
    public func certainlyHeld(at t: Timestamp) -> Bool {
        guard let start = certainStart, start <= t else { return false }
        guard released != nil else { return true }
        guard let end = certainEnd else { return false }
        return t <= end
    }

    /// Whether it may have been held at some instant of `[from, to]` (from nil: unbounded).
    public func possiblyHeld(from: Timestamp?, to: Timestamp) -> Bool {
        if let start = possibleStart, start > to { return false }
        if let end = possibleEnd, let from, end < from { return false }
        return true
    }

    /// The JSON of a hold, as `current`, `history`, `who` and the HTTP API print it.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "lock_id": .string(lockID), "state": .optional(state), "workspace": .optional(workspace), "who": .optional(who),
            "operation": .optional(operation), "version": .optional(version), "created_at": .optional(createdAt?.rfc3339),
            "release_kind": .optional(releaseKind?.rawValue), "forced_by": .optional(forcedBy), "force_reason": .optional(forceReason),
            "run_id": .optional(runID), "sources": .array(sources.map(JSONValue.string)),
            "mechanisms": .array(mechanisms.map(JSONValue.string)), "evidence": .array(evidence.map(\.json)),
        ]
        if let acquired {
            o.merge(acquired.boundsJSON(prefix: "acquired")) { a, _ in a }
        } else {
            o.merge(["acquired_at": .null, "acquired_after": .null, "acquired_not_after": .null, "acquired_precision": "unknown"]) { a, _ in a }
        }
        if let released {
            o.merge(released.boundsJSON(prefix: "released")) { a, _ in a }
        } else {
            o.merge(["released_at": .null, "released_after": .null, "released_not_after": .null, "released_precision": .null]) { a, _ in a }
        }
        return .object(o)
    }
}
