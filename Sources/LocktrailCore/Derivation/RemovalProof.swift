/// The proof that a hold which ended was removed by someone other than its holder, or none.
/// Tried in order; the first that holds is the hold's force evidence:
/// 1. a force-unlock that removed it (`DerivationRules.removalOutcomes`) no later than the
///    disappearance's latest bound (plus clock skew: its time is the runner's clock);
/// 2. its holder's release failing because the lock was gone or carried another ID
///    (`ReleaseFailureCause.provesRemoval`), at a time the lock may already have been gone;
/// 3. its lock file removed by another principal than the one that created it, both named by S3
///    event notifications (`PrincipalRule`): observed, needs no wrapper;
/// 4. its holder's run heard from well after the lock went (clock skew plus the exit grace),
///    unless the run then finished successfully (a removed lock makes the release fail).
struct RemovalProof {
    /// One proof.
    struct Removal {
        var event: SequencedEvent
        var evidence: Evidence
        var isForceUnlock: Bool
        var isLiveness: Bool
        /// For a removal by another principal: the creation's evidence too, and who removed it.
        var creation: Evidence? = nil
        var remover: String? = nil
    }

    /// The first proof, if any.
    let first: Removal?

    init(
        released: EventTime, forceUnlocks: [SequencedEvent], releaseFailures: [SequencedEvent], run: [SequencedEvent],
        sightings: [SequencedEvent] = []
    ) {
        let skew = DerivationRules.clockSkewSeconds
        let latestGone = released.latest.adding(seconds: skew)
        if let removal = forceUnlocks.first(where: { e in
            DerivationRules.removalOutcomes.contains(e.event.details["outcome"]?.stringValue ?? "")
                && (e.event.time.earliest ?? e.event.time.latest) <= latestGone
        }) {
            let by = HoldDerivation.actor(removal.event.details) ?? "an unknown actor"
            first = Removal(
                event: removal, evidence: Evidence(removal, note: "force-unlock of this lock ID by \(by): removed"),
                isForceUnlock: true, isLiveness: false)
            return
        }
        if let failure = releaseFailures.first(where: { e in
            ReleaseFailureCause(message: e.event.details["message"]?.stringValue).provesRemoval
                && (released.earliest.map { $0 <= e.event.time.latest.adding(seconds: skew) } ?? true)
        }) {
            first = Removal(
                event: failure, evidence: Evidence(failure, note: "the holder failed to release: the lock had been removed"),
                isForceUnlock: false, isLiveness: false)
            return
        }
        if let other = PrincipalRule.removedByAnother(sightings) {
            let note = "lock file removed by \(other.remover.description), not by \(other.creator.description) who created it"
            first = Removal(
                event: other.removal, evidence: Evidence(other.removal, note: note), isForceUnlock: false, isLiveness: false,
                creation: Evidence(other.creation, note: "lock file created by \(other.creator.description)"),
                remover: other.remover.description)
            return
        }
        let started = run.first { $0.event.kind == .runStarted }?.event
        let succeeded = run.contains { e in
            guard e.event.kind == .runFinished, let code = e.event.details["exit_code"]?.numberValue else { return false }
            return DerivationRules.succeeded(exitCode: Int64(code), started: started)
        }
        let aliveAfter = released.latest.adding(seconds: skew + DerivationRules.exitGraceSeconds)
        if !succeeded,
            let alive = run.first(where: { e in
                e.event.kind == .runHeartbeat && (e.event.time.earliest ?? e.event.time.latest) > aliveAfter
            })
        {
            first = Removal(
                event: alive, evidence: Evidence(alive, note: "the holder's run was alive after the lock had gone"),
                isForceUnlock: false, isLiveness: true)
            return
        }
        first = nil
    }
}
