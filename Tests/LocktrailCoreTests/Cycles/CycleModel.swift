import LocktrailCore

/// What the store does with a plan, in memory, so a sequence of cycles can be planned as the
/// collector would run them: the snapshot and checkpoint each cycle leaves behind.
struct CycleModel {
    var checkpoint = SourceCheckpoint.new
    var snapshot: [String: SnapshotEntry] = [:]

    /// Applies `plan` as the store's commit does (its fence is checked by the store tests).
    mutating func commit(_ plan: CyclePlan) {
        switch plan.status {
        case .observed, .progress:
            if plan.cursor.resetsSnapshot { snapshot = [:] }
            for batch in plan.batches {
                for key in batch.deletions { snapshot[key] = nil }
                for (key, entry) in batch.upserts { snapshot[key] = entry }
            }
        case .failed, .pushed: break
        }
        checkpoint = checkpoint.advanced(by: plan.status)
    }
}

extension CyclePlan {
    /// The kinds of its events, in order.
    var kinds: [String] { events.map(\.kind.rawValue) }
}
