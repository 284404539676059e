public import Foundation
import LocktrailAWS
public import LocktrailCore
public import LocktrailMetrics
public import LocktrailStore
public import Logging
public import ServiceLifecycle

/// The collector as a long-running service: each source is polled on its own interval; on
/// SIGTERM/SIGINT the cycle in flight completes (its transaction commits or rolls back whole)
/// and the loop stops. A failed cycle is logged and retried with backoff; the lapse in
/// observation becomes a coverage gap when the next scan succeeds.
///
/// With `leases`, any number of collectors may run with the same sources against one database:
/// each source is polled only by the collector that holds its lease (`LeaseKeeper`), every
/// commit is fenced by the lease's token, and the others take over within
/// `LeaseTimings.takeoverBound` when the owner dies or loses the database. On shutdown the
/// leases are released, so the others take over at once.
public struct CollectorService: Service {
    /// One source and how often to poll it.
    public struct Schedule: Sendable {
        /// The source.
        public var source: any PollingSource
        /// Seconds between cycles.
        public var interval: Double
        /// Removes this source's expired maintenance locks before each cycle, if set.
        public var expiry: MaintenanceExpiry?

        /// A schedule.
        public init(source: any PollingSource, interval: Double, expiry: MaintenanceExpiry? = nil) {
            self.source = source
            self.interval = interval
            self.expiry = expiry
        }
    }

    private let schedules: [Schedule]
    private let listeners: [S3QueueListener]
    private let store: any SourceStateStore
    private let once: Bool
    private let logger: Logger
    private let now: @Sendable () -> Timestamp
    private let leases: (any LeaseStateStore)?
    private let holder: LeaseHolder
    private let leaseDuration: Double?
    private let maintenance: Store?
    private let metrics: ProcessMetrics?

    /// A collector for `schedules` and the queues of `listeners`; with `once`, one cycle per
    /// source (and each queue read until it is empty) and done (`--once` takes no lease: only the
    /// coverage fence guards it). With `leases`, a source is polled only while this collector
    /// (`holder`) holds its lease, of `leaseDuration` seconds if given (else
    /// `LeaseTimings(interval:)`'s). With `maintenance`, schedules that have an expiry remove their
    /// expired maintenance locks. With `metrics`, each cycle's duration, outcome and events
    /// appended are counted there.
    public init(
        schedules: [Schedule], listeners: [S3QueueListener] = [], store: any SourceStateStore, once: Bool, logger: Logger,
        maintenance: Store? = nil, metrics: ProcessMetrics? = nil,
        now: @escaping @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) },
        leases: (any LeaseStateStore)? = nil, holder: LeaseHolder = .thisProcess, leaseDuration: Double? = nil
    ) {
        self.schedules = schedules
        self.listeners = listeners
        self.store = store
        self.maintenance = maintenance
        self.metrics = metrics
        for schedule in schedules { metrics?.register(source: schedule.source.name) }
        self.once = once
        self.logger = logger
        self.now = now
        self.leases = leases
        self.holder = holder
        self.leaseDuration = leaseDuration
    }

    /// Reports of `--once` runs, in schedule order; failures are thrown.
    public func runOnce() async throws -> [CycleReport] {
        var reports: [CycleReport] = []
        for schedule in schedules {
            var report = try await cycle(schedule, store: store)
            // A stream with more records than one commit holds is read on to its end.
            while report.nextCycleIn == 0 {
                let next = try await cycle(schedule, store: store)
                report.appended += next.appended
                report.duplicates += next.duplicates
                report.streamRecords += next.streamRecords
                report.gapRecorded = report.gapRecorded || next.gapRecorded
                report.nextCycleIn = next.nextCycleIn
            }
            reports.append(report)
        }
        for listener in listeners {
            let pushed = try await listener.drain(store: store, now: now, logger: logger)
            reports += pushed
            if pushed.contains(where: { $0.appended > 0 }) { try? await store.catchUpDerivation() }
        }
        return reports
    }

    public func run() async throws {
        if once {
            _ = try await runOnce()
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for schedule in schedules {
                group.addTask { await self.loop(schedule) }
            }
            for listener in listeners {
                group.addTask { await self.listen(listener) }
            }
        }
    }

    private func loop(_ schedule: Schedule) async {
        guard let leases else {
            await cycles(schedule, keeper: nil)
            return
        }
        let keeper = LeaseKeeper(
            name: schedule.source.name, holder: holder,
            timings: LeaseTimings(interval: schedule.interval, duration: leaseDuration), leases: leases, logger: logger)
        await withTaskGroup(of: Void.self) { group in
            // Renewals go on while a cycle runs, and after shutdown begins until it has committed.
            group.addTask { await keeper.keep() }
            await cycles(schedule, keeper: keeper)
            group.cancelAll()
        }
        await keeper.release()
    }

    /// Runs a queue listener; with `leases`, only while this collector holds the queue's lease
    /// (`queue:URL`, of `leaseDuration` seconds, else 15 s: takeover within 30 s).
    private func listen(_ listener: S3QueueListener) async {
        guard let leases else {
            await listener.run(store: store, now: now, logger: logger)
            return
        }
        let keeper = LeaseKeeper(
            name: listener.leaseName, holder: holder, timings: LeaseTimings(interval: 0, duration: leaseDuration), leases: leases, logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await keeper.keep() }
            await listener.run(store: store, now: now, logger: logger, keeper: keeper)
            group.cancelAll()
        }
        await keeper.release()
    }

    private func cycles(_ schedule: Schedule, keeper: LeaseKeeper?) async {
        var failures = 0
        // A source that reads a stream asks for its next cycle within seconds; failures back off from there.
        var base = schedule.interval
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var pause = schedule.interval
            var store = self.store
            if let keeper {
                guard let lease = keeper.current else {
                    // Another collector owns the source (or the database is out of reach): wait
                    // for the keeper, which seeks the lease on its own schedule.
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(200)) }
                    failures = 0
                    continue
                }
                store = LeaseFencedStore(base: store, token: lease.token)
            }
            do {
                let report = try await cycle(schedule, store: store)
                pause = report.nextCycleIn ?? schedule.interval
                base = report.nextCycleIn.map { max($0, 1) } ?? schedule.interval
                failures = 0
            } catch let error as LeaseLostError {
                // Taken over while observing: nothing was written; the new owner carries on.
                keeper?.lost()
                logger.notice(
                    "source taken over by another collector; this cycle was discarded",
                    metadata: [
                        "source": "\(schedule.source.name)", "error": "\(error)",
                    ])
                continue
            } catch {
                failures += 1
                // Back off on repeated failure, but keep trying: coverage depends on it.
                pause = min(base * pow(2, Double(min(failures, 6))), max(base, 300))
                logger.error(
                    "collection cycle failed",
                    metadata: [
                        "source": "\(schedule.source.name)", "error": "\(error)", "consecutive_failures": "\(failures)",
                        "retry_in_seconds": "\(Int(pause))",
                    ])
            }
            // The sleep ends early on graceful shutdown; a cycle in flight is never interrupted.
            let sleep = pause
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(sleep)) }
        }
    }

    private func cycle(_ schedule: Schedule, store: any SourceStateStore) async throws -> CycleReport {
        let started = Date()
        let clock = ContinuousClock.now
        if let expiry = schedule.expiry, let maintenance { await expire(expiry, in: maintenance) }
        let report: CycleReport
        do {
            report = try await schedule.source.runCycle(store: store, now: now, logger: logger)
        } catch {
            metrics?.cycleFailed(source: schedule.source.name, duration: clock.duration(to: .now), kind: Self.kind(of: error))
            throw error
        }
        metrics?.cycleCommitted(source: report.source, duration: clock.duration(to: .now), appended: report.appended)
        // A stream read every second that found nothing is not worth a line.
        if report.mode != .stream || report.streamRecords > 0 {
            var metadata: Logger.Metadata = [
                "source": "\(report.source)", "mode": "\(report.mode.rawValue)", "items": "\(report.items)", "events": "\(report.appended)",
                "duplicates": "\(report.duplicates)", "table_missing": "\(report.tableMissing)",
                "gap_recorded": "\(report.gapRecorded)", "seconds": "\(String(format: "%.3f", Date().timeIntervalSince(started)))",
            ]
            if report.mode != .scan {
                metadata["stream_records"] = "\(report.streamRecords)"
                metadata["repaired"] = "\(report.repaired)"
            }
            if let reason = report.scanReason { metadata["scan_reason"] = "\(reason)" }
            logger.info("collection cycle committed", metadata: metadata)
        }
        if report.appended > 0 {
            // Keep holds and writes current, so answers need not catch up on a backlog. A failure
            // here loses nothing: the next catch-up (here or before a query) folds these events in.
            do {
                try await store.catchUpDerivation()
            } catch {
                logger.warning("deriving holds failed; the next catch-up retries", metadata: ["error": "\(error)"])
            }
        }
        return report
    }

    /// A bounded name for an error, for `locktrail_cycle_errors_total{kind=…}`: an AWS error's
    /// code (`ThrottlingException`, `AccessDenied`…), otherwise the error's type.
    static func kind(of error: any Error) -> String {
        if let aws = error as? AWSError { return "aws:" + aws.code.rawValue }
        return String(describing: type(of: error))
    }

    /// Removes expired maintenance locks the source owns and records it; a failure is logged and
    /// retried next cycle (the lock stays, so terraform stays refused: the safe side).
    private func expire(_ expiry: MaintenanceExpiry, in store: Store) async {
        do {
            let open = try await store.maintenance.open()
            guard !open.isEmpty else { return }
            let events = try await expiry.sweep(open: open, now: now())
            guard !events.isEmpty else { return }
            _ = try await store.events.append(events)
            for event in events {
                logger.notice(
                    "maintenance lock expired and removed",
                    metadata: [
                        "source": "\(expiry.source)", "state": "\(event.state ?? "?")", "lock_id": "\(event.lockID ?? "?")",
                    ])
            }
        } catch {
            logger.warning(
                "removing expired maintenance locks failed; retried next cycle",
                metadata: [
                    "source": "\(expiry.source)", "error": "\(error)",
                ])
        }
    }
}
