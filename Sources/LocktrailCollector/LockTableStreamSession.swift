import Logging
import LocktrailAWS
import LocktrailCore
import LocktrailStore

/// A lock-table source's life with its stream, between cycles: whether the table has a stream
/// to read (DescribeTable, again every reconcile interval), the reader with its shard iterators,
/// when the last reconciliation ran, and the source's checkpoint and snapshot as the last commit
/// left them (so a read every second loads nothing; any failed commit drops them and the next
/// cycle starts from the store again).
actor LockTableStreamSession {
    private enum Mode: Equatable {
        case unknown
        case scans(reason: String)
        case stream(arn: String)
    }

    private let settings: DynamoDBStreamSettings
    private let reader: DynamoDBStreamReader
    private var mode = Mode.unknown
    private var lastReconcile: Double?
    private var cache: CycleStart?

    init(settings: DynamoDBStreamSettings) {
        self.settings = settings
        self.reader = DynamoDBStreamReader(client: settings.client, budget: settings.batch)
    }

    func cycle(_ source: DynamoDBLockTableSource, store: any SourceStateStore, now: @escaping @Sendable () -> Timestamp,
               logger: Logger) async throws -> CycleReport {
        let clock = now().secondsSinceEpoch
        let reconcileDue = lastReconcile.map { clock - $0 >= settings.reconcileInterval } ?? true
        if reconcileDue || mode == .unknown { await describe(source, logger: logger) }
        switch mode {
        case .unknown, .scans:
            // Look for a stream again at the next reconcile interval.
            lastReconcile = clock
            cache = nil
            var report = try await source.scanCycle(store: store, now: now)
            if case .scans(let reason) = mode { report.scanReason = reason }
            return report
        case .stream(let arn):
            if reconcileDue || cache == nil { return try await reconcile(source, streamARN: arn, store: store, now: now, logger: logger) }
            return try await read(source, streamARN: arn, store: store, now: now, logger: logger)
        }
    }

    /// Finds out whether the table has a stream locktrail can read, and says so when it changes.
    private func describe(_ source: DynamoDBLockTableSource, logger: Logger) async {
        let next: Mode
        do {
            let table = try await source.client.describeTable(source.table)
            if let arn = table.readableStreamARN {
                next = .stream(arn: arn)
            } else if let spec = table.streamSpecification, spec.enabled {
                next = .scans(reason: "the table's stream has view type \(spec.viewType?.rawValue ?? "none"), not NEW_AND_OLD_IMAGES (its REMOVE records would not carry the lock record): staying on scans every interval")
            } else {
                next = .scans(reason: "the table has no stream enabled: staying on scans every interval")
            }
        } catch let error as AWSError where error.code == .resourceNotFound {
            next = .scans(reason: "the table does not exist")
        } catch {
            next = .scans(reason: "DescribeTable failed (\(error)): staying on scans every interval")
        }
        if next != mode {
            switch next {
            case .stream(let arn):
                logger.notice("reading the lock table's stream; scans now reconcile", metadata: [
                    "source": "\(source.name)", "stream_arn": "\(arn)", "reconcile_interval_seconds": "\(Int(settings.reconcileInterval))",
                ])
            case .scans(let reason):
                logger.warning("not reading a stream", metadata: ["source": "\(source.name)", "reason": "\(reason)"])
            case .unknown: break
            }
            cache = nil
            await reader.reset()
        }
        mode = next
    }

    /// A scan, then the stream read after it, in one commit.
    private func reconcile(_ source: DynamoDBLockTableSource, streamARN: String, store: any SourceStateStore,
                           now: @escaping @Sendable () -> Timestamp, logger: Logger) async throws -> CycleReport {
        let start = try await store.load(source.name, kind: .dynamodb)
        var resumption = StreamResumption.decide(stored: start.stream, streamARN: streamARN, now: now())
        let observation: DynamoDBScanObservation
        do {
            observation = try await source.observe(now: now)
        } catch {
            await PollingCycle.recordFailure(error, source: source.name, checkpoint: start.checkpoint, store: store, now: now)
            throw error
        }
        let fence = source.fence(from: start.checkpoint)
        var reading: StreamReading?
        if case .items = observation.result {
            do {
                if resumption == .resume {
                    do {
                        reading = try await reader.read(streamARN: streamARN, stored: start.stream, now: now)
                    } catch let error as StreamUnresumableError {
                        resumption = .unresumable(reason: error.reason, since: start.stream?.readThrough ?? observation.started)
                    }
                }
                if reading == nil {
                    await reader.reset()
                    reading = try await reader.read(streamARN: streamARN, stored: nil, now: now)
                }
            } catch {
                await reader.reset()
                await PollingCycle.recordFailure(error, source: source.name, checkpoint: start.checkpoint, store: store, now: now)
                throw error
            }
        }
        let basis: DynamoDBStreamPlanner.Basis
        switch resumption {
        case .resume: basis = .resumed(start.stream!)
        case .attach: basis = .attached(attachedAt: observation.started)
        case .unresumable(let reason, let since):
            logger.warning("stream not resumable: recording a coverage gap and resynchronising with a scan", metadata: [
                "source": "\(source.name)", "reason": "\(reason)", "since": "\(since.rfc3339)",
            ])
            basis = .resynchronised(reason: reason, since: since, streamARN: streamARN, attachedAt: observation.started)
        }
        let plan = source.streamPlanner.reconcilePlan(
            checkpoint: start.checkpoint, fence: fence, snapshot: start.snapshot, observation: observation, reading: reading, basis: basis,
            scanPlanner: source.planner)
        let report: CycleReport
        do {
            report = try await PollingCycle.commit(plan, store: store)
        } catch {
            await reader.reset()
            cache = nil
            throw error
        }
        lastReconcile = observation.started.secondsSinceEpoch
        cache = reading == nil ? nil : start.applying(plan, streamARN: streamARN)
        var result = report
        result.mode = .reconcile
        result.streamRecords = reading?.recordCount ?? 0
        result.nextCycleIn = reading?.hasMore == true ? 0 : settings.pollInterval
        if result.repaired > 0 {
            logger.warning("reconciliation found changes the stream had not delivered", metadata: [
                "source": "\(source.name)", "repaired": "\(result.repaired)",
            ])
        }
        return result
    }

    /// The stream's new records, committed with their positions.
    private func read(_ source: DynamoDBLockTableSource, streamARN: String, store: any SourceStateStore,
                      now: @escaping @Sendable () -> Timestamp, logger: Logger) async throws -> CycleReport {
        guard let start = cache, let stored = start.stream else {
            return try await reconcile(source, streamARN: streamARN, store: store, now: now, logger: logger)
        }
        let reading: StreamReading
        do {
            reading = try await reader.read(streamARN: streamARN, stored: stored, now: now)
        } catch is StreamUnresumableError {
            // The reconciliation records the gap and resynchronises.
            lastReconcile = nil
            return CycleReport(idle: source.name, mode: .stream, nextCycleIn: 0)
        } catch {
            await reader.reset()
            throw error
        }
        guard !reading.positions.isEmpty else { return CycleReport(idle: source.name, mode: .stream, nextCycleIn: settings.pollInterval) }
        let plan = source.streamPlanner.streamPlan(fence: source.fence(from: start.checkpoint), stored: stored, snapshot: start.snapshot,
                                                   reading: reading)
        var report: CycleReport
        do {
            report = try await PollingCycle.commit(plan, store: store)
        } catch {
            await reader.reset()
            cache = nil
            throw error
        }
        cache = start.applying(plan, streamARN: streamARN)
        report.mode = .stream
        report.nextCycleIn = reading.hasMore ? 0 : settings.pollInterval
        return report
    }
}

extension CycleStart {
    /// What the next cycle starts from once `plan` is committed (the store does the same in SQL).
    func applying(_ plan: CyclePlan, streamARN: String) -> CycleStart {
        var snapshot = plan.cursor.resetsSnapshot ? [:] : self.snapshot
        for batch in plan.batches {
            for key in batch.deletions { snapshot[key] = nil }
            for (key, entry) in batch.upserts { snapshot[key] = entry }
        }
        var stream = self.stream ?? plan.cursor.stream.map {
            StreamCheckpoint(streamARN: $0.streamARN, attachedAt: $0.attachedAt, readThrough: $0.readThrough)
        }
        stream = stream?.advanced(by: plan.cursor)
        return CycleStart(checkpoint: checkpoint.advanced(by: plan.status), snapshot: snapshot, stream: stream)
    }
}
