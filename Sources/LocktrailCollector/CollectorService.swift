public import Foundation
public import Logging
public import LocktrailCore
public import LocktrailStore
public import ServiceLifecycle

/// The collector as a long-running service: each source is polled on its own interval; on
/// SIGTERM/SIGINT the cycle in flight completes (its transaction commits or rolls back whole)
/// and the loop stops. A failed cycle is logged and retried with backoff; the lapse in
/// observation becomes a coverage gap when the next scan succeeds.
public struct CollectorService: Service {
    /// One source and how often to poll it.
    public struct Schedule: Sendable {
        /// The source.
        public var source: any PollingSource
        /// Seconds between cycles.
        public var interval: Double

        /// A schedule.
        public init(source: any PollingSource, interval: Double) {
            self.source = source
            self.interval = interval
        }
    }

    private let schedules: [Schedule]
    private let store: any SourceStateStore
    private let once: Bool
    private let logger: Logger
    private let now: @Sendable () -> Timestamp

    /// A collector for `schedules`; with `once`, one cycle per source and done.
    public init(schedules: [Schedule], store: any SourceStateStore, once: Bool, logger: Logger,
                now: @escaping @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }) {
        self.schedules = schedules
        self.store = store
        self.once = once
        self.logger = logger
        self.now = now
    }

    /// Reports of `--once` runs, in schedule order; failures are thrown.
    public func runOnce() async throws -> [CycleReport] {
        var reports: [CycleReport] = []
        for schedule in schedules {
            reports.append(try await cycle(schedule))
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
        }
    }

    private func loop(_ schedule: Schedule) async {
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var pause = schedule.interval
            do {
                _ = try await cycle(schedule)
                failures = 0
            } catch {
                failures += 1
                // Back off on repeated failure, but keep trying: coverage depends on it.
                pause = min(schedule.interval * pow(2, Double(min(failures, 6))), max(schedule.interval, 300))
                logger.error("collection cycle failed", metadata: [
                    "source": "\(schedule.source.name)", "error": "\(error)", "consecutive_failures": "\(failures)",
                    "retry_in_seconds": "\(Int(pause))",
                ])
            }
            // The sleep ends early on graceful shutdown; a cycle in flight is never interrupted.
            let sleep = pause
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(sleep)) }
        }
    }

    private func cycle(_ schedule: Schedule) async throws -> CycleReport {
        let started = Date()
        let report = try await schedule.source.runCycle(store: store, now: now, logger: logger)
        logger.info("collection cycle committed", metadata: [
            "source": "\(report.source)", "items": "\(report.items)", "events": "\(report.appended)",
            "duplicates": "\(report.duplicates)", "table_missing": "\(report.tableMissing)",
            "gap_recorded": "\(report.gapRecorded)", "seconds": "\(String(format: "%.3f", Date().timeIntervalSince(started)))",
        ])
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
}
