import LocktrailAWS
import LocktrailCore
import LocktrailStore
import Logging

/// A lock-table source's life with its stream, between cycles: whether the table has a stream
/// to read (DescribeTable, again every minute: a stream turned on, off or replaced), the reader with its shard iterators,
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
    private var lastDescribe: Double?
    private var cache: CycleStart?
    /// Why the stream could not be read on, found by a read between reconciliations: the next
    /// reconciliation records the gap.
    private var lost: String?

    init(settings: DynamoDBStreamSettings) {
        self.settings = settings
        self.reader = DynamoDBStreamReader(client: settings.client, budget: settings.batch)
    }

    func cycle(
        _ source: DynamoDBLockTableSource, store: any SourceStateStore, now: @escaping @Sendable () -> Timestamp,
        logger: Logger
    ) async throws -> CycleReport {
        let clock = now().secondsSinceEpoch
        let reconcileDue = lastReconcile.map { clock - $0 >= settings.reconcileInterval } ?? true
        let describeDue = lastDescribe.map { clock - $0 >= min(settings.describeInterval, settings.reconcileInterval) } ?? true
        if reconcileDue || describeDue || mode == .unknown {
            lastDescribe = clock
            await describe(source, logger: logger)
        }
        switch mode {
        case .unknown, .scans:
            // Scans every interval; DescribeTable looks for a stream again within a minute.
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
                next = .scans(
                    reason:
                        "the table's stream has view type \(spec.viewType?.rawValue ?? "none"), not NEW_AND_OLD_IMAGES (its REMOVE records would not carry the lock record): staying on scans every interval"
                )
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
                logger.notice(
                    "reading the lock table's stream; scans now reconcile",
                    metadata: [
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

    /// A reconciliation. Resumed, the stream is first read to its end and committed (so the
    /// snapshot is as recent as the stream can make it), then the table is scanned, then the
    /// records written meanwhile are read, and the scan and those records are committed together:
    /// what the scan still finds is a change the stream missed. Attached anew (first time, or not
    /// resumable), every record already in the stream is passed over (the scan, which follows, has
    /// their effect) and the scan is the baseline, committed with the stream's positions.
    private func reconcile(
        _ source: DynamoDBLockTableSource, streamARN: String, store: any SourceStateStore,
        now: @escaping @Sendable () -> Timestamp, logger: Logger
    ) async throws -> CycleReport {
        var start = try await store.load(source.name, kind: .dynamodb)
        var resumption = StreamResumption.decide(stored: start.stream, streamARN: streamARN, now: now())
        if let lost, resumption == .resume { resumption = .unresumable(reason: lost, since: start.stream?.readThrough ?? now()) }
        var drained = CycleReport(idle: source.name, mode: .reconcile, nextCycleIn: nil)
        var passedOver: [SourceCursor.ShardPosition] = []
        let attachedAt = now()
        do {
            if resumption == .resume, let stored = start.stream {
                do {
                    var current = stored
                    while true {
                        let reading = try await reader.read(streamARN: streamARN, stored: current, now: now)
                        if reading.positions.isEmpty { break }
                        let plan = source.streamPlanner.streamPlan(
                            fence: source.fence(from: start.checkpoint), stored: current,
                            snapshot: start.snapshot, reading: reading)
                        let report = try await PollingCycle.commit(plan, store: store)
                        (drained.appended, drained.duplicates) = (drained.appended + report.appended, drained.duplicates + report.duplicates)
                        drained.streamRecords += reading.recordCount
                        start = start.applying(plan, streamARN: streamARN)
                        current = start.stream ?? current
                        if !reading.hasMore { break }
                    }
                } catch let error as StreamUnresumableError {
                    resumption = .unresumable(reason: error.reason, since: start.stream?.readThrough ?? attachedAt)
                }
            }
            if resumption != .resume {
                await reader.reset()
                var local = StreamCheckpoint(streamARN: streamARN, attachedAt: attachedAt, readThrough: attachedAt)
                while true {
                    let reading = try await reader.read(streamARN: streamARN, stored: local.positions.isEmpty ? nil : local, now: now)
                    local = local.advanced(by: SourceCursor(shardPositions: reading.positions))
                    if !reading.hasMore { break }
                }
                passedOver = local.positions.sorted { $0.key < $1.key }.map {
                    SourceCursor.ShardPosition(
                        streamARN: streamARN, shardID: $0.key, sequenceNumber: $0.value, finished: local.finished.contains($0.key))
                }
                start.stream = local
            }
        } catch {
            await reader.reset()
            cache = nil
            throw error
        }
        let observation: DynamoDBScanObservation
        do {
            observation = try await source.observe(now: now)
        } catch {
            cache = nil
            await PollingCycle.recordFailure(error, source: source.name, checkpoint: start.checkpoint, store: store, now: now)
            throw error
        }
        var reading: StreamReading?
        if case .items = observation.result {
            do {
                reading = try await reader.read(streamARN: streamARN, stored: start.stream, now: now)
            } catch {
                await reader.reset()
                cache = nil
                await PollingCycle.recordFailure(error, source: source.name, checkpoint: start.checkpoint, store: store, now: now)
                throw error
            }
        }
        let basis: DynamoDBStreamPlanner.Basis
        switch resumption {
        case .resume:
            basis = .resumed(start.stream!)
            if let reading, reading.hasMore {
                // More was written during the scan than one read holds: the scan cannot be told from
                // what is still unread. Commit the records; reconcile again at the next cycle.
                let plan = source.streamPlanner.streamPlan(
                    fence: source.fence(from: start.checkpoint), stored: start.stream!,
                    snapshot: start.snapshot, reading: reading)
                var report = try await PollingCycle.commit(plan, store: store)
                cache = start.applying(plan, streamARN: streamARN)
                (report.mode, report.nextCycleIn) = (.stream, 0)
                return report
            }
        case .attach: basis = .attached(attachedAt: attachedAt)
        case .unresumable(let reason, let since):
            logger.warning(
                "stream not resumable: recording a coverage gap and resynchronising with a scan",
                metadata: [
                    "source": "\(source.name)", "reason": "\(reason)", "since": "\(since.rfc3339)",
                ])
            basis = .resynchronised(reason: reason, since: since, streamARN: streamARN, attachedAt: attachedAt)
        }
        var plan = source.streamPlanner.reconcilePlan(
            checkpoint: start.checkpoint, fence: source.fence(from: start.checkpoint), snapshot: start.snapshot, observation: observation,
            reading: reading, basis: basis, scanPlanner: source.planner)
        if resumption != .resume, plan.cursor.stream != nil {
            // Attached anew: every stored position is forgotten first, so none is read from.
            var positions: [String: SourceCursor.ShardPosition] = [:]
            for position in passedOver + plan.cursor.shardPositions { positions[position.shardID] = position }
            plan.cursor.shardPositions = positions.values.sorted { $0.shardID < $1.shardID }.map {
                var position = $0
                position.previous = nil
                return position
            }
        }
        var result: CycleReport
        do {
            result = try await PollingCycle.commit(plan, store: store)
        } catch {
            await reader.reset()
            cache = nil
            throw error
        }
        lastReconcile = observation.started.secondsSinceEpoch
        lost = nil
        cache = reading == nil ? nil : start.applying(plan, streamARN: streamARN)
        result.mode = .reconcile
        result.appended += drained.appended
        result.duplicates += drained.duplicates
        result.streamRecords = drained.streamRecords + (reading?.recordCount ?? 0)
        result.nextCycleIn = reading == nil ? nil : settings.pollInterval
        if result.repaired > 0 {
            logger.warning(
                "reconciliation found changes the stream had not delivered",
                metadata: [
                    "source": "\(source.name)", "repaired": "\(result.repaired)",
                ])
        }
        return result
    }

    /// The stream's new records, committed with their positions.
    private func read(
        _ source: DynamoDBLockTableSource, streamARN: String, store: any SourceStateStore,
        now: @escaping @Sendable () -> Timestamp, logger: Logger
    ) async throws -> CycleReport {
        guard let start = cache, let stored = start.stream else {
            return try await reconcile(source, streamARN: streamARN, store: store, now: now, logger: logger)
        }
        let reading: StreamReading
        do {
            reading = try await reader.read(streamARN: streamARN, stored: stored, now: now)
        } catch let error as StreamUnresumableError {
            // The reconciliation records the gap and resynchronises.
            logger.warning("the stream cannot be read on; reconciling now", metadata: ["source": "\(source.name)", "reason": "\(error.reason)"])
            lost = error.reason
            lastReconcile = nil
            return CycleReport(idle: source.name, mode: .stream, nextCycleIn: 0)
        } catch let error as AWSError where error.code == .resourceNotFound {
            // The stream is gone (disabled, or the table deleted): look again at once.
            await reader.reset()
            (mode, lastReconcile, lastDescribe) = (.unknown, nil, nil)
            logger.warning("the stream is gone; looking for the table's stream again", metadata: ["source": "\(source.name)", "error": "\(error)"])
            return CycleReport(idle: source.name, mode: .stream, nextCycleIn: 0)
        } catch {
            await reader.reset()
            throw error
        }
        // Read to its end: the stream is caught up at the reading, which its push lag is measured
        // from. With records, that is stored with their events; with none (an idle table), once
        // every `idleReadThroughInterval` (not every poll), so the lag of an idle stream stays small.
        let caughtUp =
            reading.hasMore
            ? nil
            : SourceCursor.StreamAttachment(streamARN: stored.streamARN, attachedAt: stored.attachedAt, readThrough: reading.completed)
        var plan: CyclePlan
        if reading.positions.isEmpty {
            guard let caughtUp, reading.completed.secondsSinceEpoch - stored.readThrough.secondsSinceEpoch >= Self.idleReadThroughInterval else {
                return CycleReport(idle: source.name, mode: .stream, nextCycleIn: settings.pollInterval)
            }
            plan = CyclePlan(
                source: source.name, fence: source.fence(from: start.checkpoint), status: .pushed(records: 0, at: reading.completed),
                cursor: SourceCursor(stream: caughtUp))
        } else {
            plan = source.streamPlanner.streamPlan(
                fence: source.fence(from: start.checkpoint), stored: stored, snapshot: start.snapshot,
                reading: reading)
            plan.cursor.stream = caughtUp
        }
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

    /// Seconds between records of an idle stream's read-through (its push lag reads up to this much more).
    static let idleReadThroughInterval = 10.0
}

extension CycleStart {
    /// What the next cycle starts from once `plan` is committed (the store does the same in SQL).
    func applying(_ plan: CyclePlan, streamARN: String) -> CycleStart {
        var snapshot = plan.cursor.resetsSnapshot ? [:] : self.snapshot
        for batch in plan.batches {
            for key in batch.deletions { snapshot[key] = nil }
            for (key, entry) in batch.upserts { snapshot[key] = entry }
        }
        var stream =
            self.stream
            ?? plan.cursor.stream.map {
                StreamCheckpoint(streamARN: $0.streamARN, attachedAt: $0.attachedAt, readThrough: $0.readThrough)
            }
        stream = stream?.advanced(by: plan.cursor)
        return CycleStart(checkpoint: checkpoint.advanced(by: plan.status), snapshot: snapshot, stream: stream)
    }
}
