import LocktrailCore
import LocktrailStore

/// The store as a cycle run under a lease sees it: every plan it commits carries the lease's
/// fencing token, so the commit is refused (`LeaseLostError`) if the source changed hands while
/// the cycle observed. The sources need not know about leases. `lease` names the lease when it is
/// not the source's own (a queue listener's, `queue:URL`, fences every bucket its queue serves).
struct LeaseFencedStore: SourceStateStore {
    let base: any SourceStateStore
    let token: UInt64
    var lease: String? = nil

    func load(_ source: String, kind: SourceKind) async throws -> CycleStart {
        try await base.load(source, kind: kind)
    }

    func commit(_ plan: CyclePlan) async throws -> AppendOutcome {
        var fenced = plan
        fenced.fence.leaseToken = token
        fenced.fence.leaseName = lease
        return try await base.commit(fenced)
    }

    func recordQueueReads(_ reads: [String: QueueRead], fence: OwnershipFence) async throws {
        var fenced = fence
        fenced.leaseToken = token
        fenced.leaseName = lease
        try await base.recordQueueReads(reads, fence: fenced)
    }

    func catchUpDerivation() async throws {
        try await base.catchUpDerivation()
    }
}
