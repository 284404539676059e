import Foundation
import Logging
import LocktrailCore
import LocktrailStore
import ServiceLifecycle

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
            var report = try await cycle(schedule)
            // A stream with more records than one commit holds is read on to its end.
            while report.nextCycleIn == 0 {
                let next = try await cycle(schedule)
                report.appended += next.appended
                report.duplicates += next.duplicates
                report.streamRecords += next.streamRecords
                report.gapRecorded = report.gapRecorded || next.gapRecorded
                report.nextCycleIn = next.nextCycleIn
            }
            reports.append(report)
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
        // A source that reads a stream asks for its next cycle within seconds; failures back off from there.
        var base = schedule.interval
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var pause = schedule.interval
            do {
                let report = try await cycle(schedule)
                pause = report.nextCycleIn ?? schedule.interval
                base = report.nextCycleIn.map { max($0, 1) } ?? schedule.interval
                failures = 0
            } catch {
                failures += 1
                // Back off on repeated failure, but keep trying: coverage depends on it.
                pause = min(base * pow(2, Double(min(failures, 6))), max(base, 300))
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
}
