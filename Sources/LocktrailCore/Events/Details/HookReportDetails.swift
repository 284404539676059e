/// The details of an event a hook reported (`run.*`, `lock.contended`, a terraform
/// `lock.force_unlocked`, `lock.release_failed`): what the client sent, and the provenance the
/// server sets over it — the run, the report's id and the ingest token that submitted it.
///
/// What a client sends stays open (a CI step may add members of its own); what locktrail's
/// wrapper sends for each kind is documented in docs/events.md.
public struct HookReportDetails: EventDetails, Hashable {
    /// The members the server sets, as docs/events.md names them.
    public enum Member: String, CaseIterable, Sendable {
        case runID = "run_id", hookEventID = "hook_event_id", ingestToken = "ingest_token"
    }

    public static let kinds: [EventKind] = [.runStarted, .runHeartbeat, .runFinished, .lockContended, .lockForceUnlocked, .lockReleaseFailed]

    /// What the client sent as `details`.
    public var reported: [String: JSONValue]
    /// The run the report belongs to.
    public var runID: String
    /// The report's client-generated id.
    public var hookEventID: String
    /// The name of the ingest token that submitted it.
    public var ingestToken: String

    /// Details.
    public init(reported: [String: JSONValue], runID: String, hookEventID: String, ingestToken: String) {
        self.reported = reported
        self.runID = runID
        self.hookEventID = hookEventID
        self.ingestToken = ingestToken
    }

    /// The client's members, with the provenance set over whatever it sent under those names.
    public var object: [String: JSONValue] {
        var d = DetailsObject<Member>(reported)
        d[.runID] = .string(runID)
        d[.hookEventID] = .string(hookEventID)
        d[.ingestToken] = .string(ingestToken)
        return d.object
    }
}
