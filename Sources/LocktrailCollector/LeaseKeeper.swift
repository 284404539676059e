import Foundation
public import LocktrailCore
public import LocktrailStore
public import Logging
import Synchronization

/// Keeps one lease for this collector: asks for it while another holds it, renews it while this
/// one does, beside the work it guards (a long scan never outlives it). The work asks `current`
/// before each step and puts the token in its plans' fence; the store refuses a commit whose
/// token is no longer the lease's, so safety rests on the token, and `current` only stops an
/// owner that cannot reach the database from starting work it could not commit.
///
/// A lease counts as held here until `duration` after the renewal that granted it was *sent*:
/// never later than the database's own deadline, whatever the clocks say.
public final class LeaseKeeper: Sendable {
    /// The lease's name (a source, or a pseudo-source such as `checkpoints:DIR`).
    public let name: String
    /// This collector.
    public let holder: LeaseHolder
    /// How long the lease lasts and how often it is renewed or sought.
    public let timings: LeaseTimings
    private let leases: any LeaseStateStore
    private let logger: Logger
    private let state = Mutex<(lease: Lease?, validUntil: ContinuousClock.Instant)>((nil, .now))

    /// A keeper of `name` for `holder`.
    public init(name: String, holder: LeaseHolder, timings: LeaseTimings, leases: any LeaseStateStore, logger: Logger) {
        self.name = name
        self.holder = holder
        self.timings = timings
        self.leases = leases
        self.logger = logger
    }

    /// The lease while this collector holds it, else nil.
    public var current: Lease? {
        state.withLock { $0.lease != nil && ContinuousClock.now < $0.validUntil ? $0.lease : nil }
    }

    /// Whether the lease is held for at least `seconds` more (for work that must finish under it).
    public func isHeld(forAtLeast seconds: Double) -> Bool {
        state.withLock { $0.lease != nil && ContinuousClock.now.advanced(by: .seconds(seconds)) < $0.validUntil }
    }

    /// Renews or seeks the lease once; returns the lease when this collector holds it afterwards.
    @discardableResult
    public func attempt() async -> Lease? {
        let sent = ContinuousClock.now
        let held = state.withLock { $0.lease }
        do {
            if let held {
                if let renewed = try await leases.renew(held, duration: timings.duration) {
                    state.withLock { $0 = (renewed, sent.advanced(by: .seconds(timings.duration))) }
                    return renewed
                }
                state.withLock { $0.lease = nil }
                logger.warning("lease lost: another collector took the source over", metadata: ["lease": "\(name)", "token": "\(held.token)"])
            }
            if let acquired = try await leases.acquire(name, holder: holder, duration: timings.duration) {
                state.withLock { $0 = (acquired, sent.advanced(by: .seconds(timings.duration))) }
                logger.notice(
                    "lease acquired: this collector owns the source",
                    metadata: [
                        "lease": "\(name)", "token": "\(acquired.token)", "lease_seconds": "\(timings.duration)",
                    ])
                return acquired
            }
        } catch {
            // Keep what is held until its local deadline: the database may be back before then.
            logger.warning("lease renewal failed", metadata: ["lease": "\(name)", "error": "\(error)"])
        }
        return current
    }

    /// Forgets the lease at once (its commit was refused: the source changed hands).
    public func lost() {
        state.withLock { $0.lease = nil }
    }

    /// Renews or seeks the lease every `timings.renewEvery` until cancelled.
    public func keep() async {
        while !Task.isCancelled {
            await attempt()
            try? await Task.sleep(for: .seconds(timings.renewEvery))
        }
    }

    /// Gives the lease up, if held, so another collector takes over without waiting for it to lapse.
    public func release() async {
        guard
            let lease = state.withLock({ state in
                defer { state.lease = nil }; return state.lease
            })
        else { return }
        do {
            try await leases.release(lease)
            logger.info("lease released", metadata: ["lease": "\(name)", "token": "\(lease.token)"])
        } catch {
            logger.warning("releasing the lease failed; it lapses by itself", metadata: ["lease": "\(name)", "error": "\(error)"])
        }
    }
}
