/// The tolerances and readings the derivation applies to evidence, each with its reason. The
/// README's "How holds and writes are derived" states them in words; change both together.
public enum DerivationRules {
    /// Seconds of clock skew allowed between clocks that never saw each other: a runner's (hook
    /// events: force-unlocks, failed releases, heartbeats) against AWS's (S3 `LastModified`) and
    /// the collector's (scan bounds). Hosts that sync with NTP, chrony or the AWS Time Sync Service
    /// stay within milliseconds; 5 s also covers a runner whose clock drifted for days without
    /// a sync (typical crystal drift is 10–50 ppm, 1–4 s a day). Every "before/after the lock had
    /// gone" rule widens its comparison by this much, in the direction that claims less.
    public static let clockSkewSeconds: Double = 5

    /// Seconds a holder's run may go on after its lock went before its being alive counts as
    /// force: terraform releases the lock as the operation's last step and exits moments later
    /// (printing outputs or an error first), so a heartbeat just after a normal release proves
    /// nothing. Added to `clockSkewSeconds` in the liveness rule.
    public static let exitGraceSeconds: Double = 10

    /// S3 reports `LastModified` truncated to the whole second: an S3 time `t` means some instant
    /// of `[t, t + 1 s)`. Applied to every exact, whole-second time of an `s3-lockfile` or
    /// `s3-state` event, whatever the collector version that stored it.
    public static func modelled(_ event: Event) -> EventTime {
        guard case .exact(let t) = event.time, event.mechanism == .s3Lockfile || event.mechanism == .s3State,
            t.microseconds % 1_000_000 == 0
        else { return event.time }
        return .between(after: t.adding(microseconds: -1), notAfter: t.adding(microseconds: 999_999))
    }

    /// Whether a lock-file event comes from the bucket's version history (every version and
    /// delete marker, so locks shorter than any poll are in it too) rather than from a listing of
    /// the current objects, which misses them. Listings record their scan window; versions do not.
    static func isVersionHistory(_ event: Event) -> Bool {
        event.mechanism == .s3Lockfile && event.details["scan_not_after"] == nil
            && (event.details["time_basis"]?.stringValue == "last_modified" || event.details["history"]?.stringValue == "versions")
    }

    /// The force-unlock outcomes that say the lock was removed: `locktrail unlock`'s `removed`
    /// and the wrapper's `unlocked` (terraform printed "state has been successfully unlocked!").
    /// Every other outcome (refused, not_found, held_by_other, changed) is an attempt.
    public static let removalOutcomes: Set<String> = ["removed", "unlocked"]

    /// Whether a run's exit code means it succeeded: 0, or 2 from `plan -detailed-exitcode`
    /// ("succeeded, with changes").
    static func succeeded(exitCode: Int64, started: Event?) -> Bool {
        if exitCode == 0 { return true }
        guard exitCode == 2, let started, started.details["subcommand"]?.stringValue == "plan",
            case .array(let arguments)? = started.details["arguments"]
        else { return false }
        return arguments.contains { argument in
            guard let text = argument.stringValue else { return false }
            let flag = text.hasPrefix("--") ? String(text.dropFirst()) : text
            return flag == "-detailed-exitcode" || flag == "-detailed-exitcode=true"
        }
    }
}
