/// How a hold ended.
public enum ReleaseKind: String, Hashable, Sendable, CaseIterable {
    /// It disappeared and nothing says it was forced.
    case released
    /// It was removed by someone other than its holder, proven by a removal in `Hold.evidence`:
    /// a force-unlock that removed it, its holder's release failing because it was gone, or its
    /// holder's run alive well after it went.
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
    /// Whether the evidence that makes it forced was observed by a source or reported by a client.
    public var forceProvenance: Provenance?
    /// Who reported that evidence (an ingest token's name, `locktrail unlock`), when reported.
    public var forceReportedBy: String?
    /// Other states whose events name this lock ID: a lock ID belongs to one state, so this is
    /// an anomaly, reported and never merged into the hold.
    public var otherStates: [String] = []
    /// What does not add up about this hold, in sentences (e.g. its ID seen under two states).
    public var anomalies: [String] = []
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
    /// For a hold still held: the last moment a source showed it present — the latest
    /// observation, by each source that saw it appear and never saw it go, of this state (a
    /// consistent scan or listing that reports anything about the state and not this lock's
    /// end shows it still there), and never past a mechanism that did see it go. Nil when released.
    /// Set when the lock is a maintenance lock (`locktrail lock`): its reason.
    public var maintenanceReason: String?
    /// A maintenance lock's expiry, when its record says one.
    public var maintenanceExpires: Timestamp?
    public var seenHeldUntil: Timestamp?

    /// Until when it was certainly held: the release's lower bound, or for a hold still held the
    /// last moment a source showed it (`seenHeldUntil`); nil when unknown.
    public var certainEnd: Timestamp? {
        guard let released else { return seenHeldUntil }
        switch released {
        case .exact(let t): return t
        case .between(let after, _): return after
        }
    }

    /// Whether it was certainly held at `t`: after its acquire's latest bound and no later than `certainEnd`.
    public func certainlyHeld(at t: Timestamp) -> Bool {
        guard let start = certainStart, start <= t, let end = certainEnd else { return false }
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
            "force_provenance": .optional(forceProvenance?.rawValue), "force_reported_by": .optional(forceReportedBy),
            "other_states": .array(otherStates.map(JSONValue.string)), "anomalies": .array(anomalies.map(JSONValue.string)),
            "seen_held_until": .optional(seenHeldUntil?.rfc3339),
            "run_id": .optional(runID), "sources": .array(sources.map(JSONValue.string)),
            "mechanisms": .array(mechanisms.map(JSONValue.string)), "evidence": .array(evidence.map(\.json)),
        ]
        if let maintenanceReason {
            o["maintenance"] = ["reason": .string(maintenanceReason), "expires_at": .optional(maintenanceExpires?.rfc3339)]
        }
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
