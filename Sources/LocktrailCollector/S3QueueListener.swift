import Foundation
public import LocktrailAWS
public import LocktrailCore
public import LocktrailStore
public import Logging
import ServiceLifecycle

/// Reads one SQS queue of S3 event notifications for the bucket sources it serves (one queue may
/// serve several buckets: each notice names its bucket). Each receive is decoded, its notices go
/// to the sources whose bucket and prefix they name, each such source runs a push cycle for the
/// keys with news (their versions newest first down to the first one known), and a message is
/// deleted only once every source it concerns has committed: a crash in between redelivers it,
/// and its events are then duplicates (a no-op). Between messages each source is reconciled every
/// `reconcileInterval` (its whole version history, or a full listing) to repair what push missed.
///
/// After each receive, and before its deletes, it records how far the queue was read for each
/// source (`QueueRead`, the push lag of `/metrics` and `locktrail sources`): with the source's
/// events when its cycle commits, else in a transaction of its own, fenced by the queue's lease.
/// A source whose cycle failed records nothing, and its messages hold it back until committed.
///
/// A message that is not an S3 notification (a poison message) is never deleted: the queue's
/// redrive policy moves it to the dead-letter queue after `maxReceiveCount` receives. SQS moves it
/// whole and atomically, with its attributes, and locktrail needs no `sqs:SendMessage` on the
/// dead-letter queue; moving it itself (send, then delete) could duplicate or, on a failed send
/// after a delete, lose it.
public struct S3QueueListener: Sendable {
    /// The queue's URL, used as given.
    public let queueURL: String
    /// The client.
    public let client: SQSClient
    /// The bucket sources whose notifications go to this queue.
    public let sources: [S3BucketSource]
    /// Seconds a receive waits for a message (long polling, at most 20).
    public let waitSeconds: Int

    /// A listener.
    public init(queueURL: String, client: SQSClient, sources: [S3BucketSource], waitSeconds: Int = 20) {
        self.queueURL = queueURL
        self.client = client
        self.sources = sources
        self.waitSeconds = min(max(waitSeconds, 0), 20)
    }

    /// The source names, for logs.
    public var name: String { "sqs:" + queueURL }

    /// Checks the queue once at start: it exists and can be read, and whether poison messages have a dead-letter queue.
    func checkQueue(logger: Logger) async {
        do {
            let attributes = try await client.getQueueAttributes(queueURL: queueURL)
            if let policy = attributes.redrivePolicy {
                logger.info(
                    "s3 notification queue",
                    metadata: [
                        "queue": "\(queueURL)", "dead_letter_queue": "\(policy.deadLetterTargetARN)",
                        "max_receive_count": "\(policy.maxReceiveCount.map(String.init) ?? "-")",
                    ])
            } else {
                logger.warning(
                    "the s3 notification queue has no dead-letter queue: a malformed message comes back until the queue's retention period ends",
                    metadata: ["queue": "\(queueURL)"])
            }
        } catch {
            logger.error("cannot read the s3 notification queue's attributes", metadata: ["queue": "\(queueURL)", "error": "\(error)"])
        }
    }

    /// The name of the lease that makes one collector of several the queue's reader.
    public var leaseName: String { "queue:" + queueURL }

    /// Receives and handles messages until graceful shutdown; receive failures back off. With
    /// `keeper` (the queue's lease, `leaseName`), it receives only while this collector holds the
    /// lease, and every commit carries the lease's token: a listener whose queue was taken over
    /// finds out at its commit, which is refused whole, and deletes none of the messages it had
    /// received (SQS gives them to the new owner once their visibility timeout ends).
    public func run(store: any SourceStateStore, now: @escaping @Sendable () -> Timestamp, logger: Logger, keeper: LeaseKeeper? = nil) async {
        await checkQueue(logger: logger)
        var state = PollState()
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var fenced = store
            // While a lock is held, poll briefly: its release is looked for in its key's versions too.
            var wait = state.held.values.contains { !$0.isEmpty } ? min(waitSeconds, Self.heldWaitSeconds) : waitSeconds
            if let keeper {
                guard let lease = keeper.current else {
                    // Another collector reads the queue (or the database is out of reach): what
                    // this one knew of the sources is stale by the time it gets the lease back.
                    state = PollState()
                    failures = 0
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(200)) }
                    continue
                }
                fenced = LeaseFencedStore(base: store, token: lease.token, lease: leaseName)
                // A receive no longer than half the lease: messages received just before a
                // takeover are hidden from the new owner for no longer than needed.
                wait = min(wait, max(1, Int(keeper.timings.duration / 2)))
            }
            do {
                _ = try await poll(store: fenced, now: now, logger: logger, state: &state, wait: wait)
                failures = 0
            } catch let error as LeaseLostError {
                keeper?.lost()
                state = PollState()
                logger.notice(
                    "queue taken over by another collector; the messages received were left in the queue",
                    metadata: ["queue": "\(queueURL)", "error": "\(error)"])
            } catch {
                failures += 1
                let pause = min(pow(2, Double(min(failures, 6))), 60)
                logger.error(
                    "receiving s3 notifications failed",
                    metadata: [
                        "queue": "\(queueURL)", "error": "\(error)", "consecutive_failures": "\(failures)", "retry_in_seconds": "\(Int(pause))",
                    ])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(pause)) }
            }
        }
    }

    /// `collect --once`: receives until the queue has nothing more for a second, reconciling
    /// whatever is due; returns the cycles' reports.
    public func drain(store: any SourceStateStore, now: @escaping @Sendable () -> Timestamp, logger: Logger) async throws -> [CycleReport] {
        await checkQueue(logger: logger)
        var state = PollState()
        var reports: [CycleReport] = []
        for _ in 0..<1000 {
            let (more, received) = try await poll(store: store, now: now, logger: logger, state: &state, wait: 1)
            reports += more
            if received == 0 { break }
        }
        return reports
    }

    /// Seconds a receive waits while some lock is held.
    static let heldWaitSeconds = 2

    /// What the listener carries from one receive to the next, per source.
    struct PollState {
        /// The next reconciliation (absent: find out by loading the source).
        var due: [String: Timestamp] = [:]
        /// Lock files held at the source's last cycle.
        var held: [String: Set<String>] = [:]
        /// Messages with news of a source whose cycle failed, by message id, with their send time:
        /// they hold the source's read back until a commit of the source includes them again (or a
        /// reconciliation walks past them). Forgotten with the rest (a takeover, a restart): they
        /// come back after their visibility timeout.
        var unsettled: [String: [String: Timestamp]] = [:]
    }

    /// One receive, the cycles it calls for (news, held locks to look at again, reconciliations
    /// due), then the deletes.
    func poll(
        store: any SourceStateStore, now: @escaping @Sendable () -> Timestamp, logger: Logger,
        state: inout PollState, wait: Int
    ) async throws -> (reports: [CycleReport], received: Int) {
        let messages = try await client.receiveMessages(queueURL: queueURL, maxMessages: 10, waitSeconds: wait)
        let receivedAt = now()
        var notices: [String: [S3Notice]] = [:]  // by source
        var concerns: [String: Set<String>] = [:]  // message id → sources it has news for
        var deletable: [SQSMessage] = []
        var lagged: [QueueRead.Message] = []
        for message in messages {
            let decoded: S3NotificationMessage
            let firstReceive = (message.approximateReceiveCount ?? 1) <= 1
            do {
                decoded = try S3NotificationMessage.decode(message.body)
            } catch {
                lagged.append(QueueRead.Message(sentAt: message.sentAt, firstReceive: firstReceive))
                logger.warning(
                    "poison message left for the queue's dead-letter queue",
                    metadata: [
                        "queue": "\(queueURL)", "message_id": "\(message.messageID)", "error": "\(error)",
                        "receive_count": "\(message.approximateReceiveCount.map(String.init) ?? "-")",
                    ])
                continue
            }
            lagged.append(
                QueueRead.Message(sentAt: message.sentAt, firstReceive: firstReceive, newestEventAt: decoded.notices.compactMap(\.time).max()))
            var involved = Set<String>()
            for source in sources {
                let own = decoded.notices.filter { !source.planner.keysWithNews(notices: [$0]).isEmpty }
                if !own.isEmpty {
                    notices[source.name, default: []] += own
                    involved.insert(source.name)
                }
            }
            if involved.isEmpty && !decoded.isTestEvent && !decoded.notices.isEmpty {
                logger.debug(
                    "s3 notification for no watched key",
                    metadata: [
                        "queue": "\(queueURL)", "message_id": "\(message.messageID)",
                        "buckets": "\(Set(decoded.notices.map(\.bucket)).sorted().joined(separator: ","))",
                    ])
            }
            concerns[message.messageID] = involved
            deletable.append(message)
        }

        let read = QueueRead(queue: queueURL, receivedAt: receivedAt, messages: lagged)
        var reports: [CycleReport] = []
        var committed = Set<String>()
        var idle: [String: QueueRead] = [:]  // sources with nothing to commit: their reads are recorded after the cycles
        for source in sources {
            let news = notices[source.name]
            let held = state.held[source.name] ?? []
            // This receive's messages with news of the source settle with its commit; older failed ones hold it back.
            let mine = Set(concerns.filter { $0.value.contains(source.name) }.keys)
            let sourceRead = read.holdingBack(to: state.unsettled[source.name]?.filter { !mine.contains($0.key) }.values.min())
            if news == nil, held.isEmpty, let next = state.due[source.name], next > now() {
                idle[source.name] = sourceRead
                continue
            }
            do {
                let outcome = try await source.runCycle(
                    store: store, now: now, logger: logger, push: news ?? [], watch: held, queueRead: sourceRead)
                state.due[source.name] = outcome.nextReconciliation
                state.held[source.name] = outcome.held
                var unsettled = state.unsettled[source.name]?.filter { !mine.contains($0.key) } ?? [:]
                if let walked = outcome.reconciledFrom { unsettled = unsettled.filter { $0.value >= walked } }
                state.unsettled[source.name] = unsettled.isEmpty ? nil : unsettled
                if let report = outcome.report { reports.append(report) } else { idle[source.name] = sourceRead }
                committed.insert(source.name)
            } catch let error as LeaseLostError {
                // The queue changed hands: delete nothing, the new owner handles every message.
                throw error
            } catch {
                // Its messages stay in the queue and come back after the visibility timeout.
                for message in messages where mine.contains(message.messageID) {
                    state.unsettled[source.name, default: [:]][message.messageID] = message.sentAt ?? receivedAt
                }
                logger.error(
                    "push cycle failed; its messages will be received again",
                    metadata: [
                        "source": "\(source.name)", "queue": "\(queueURL)", "error": "\(error)",
                    ])
            }
        }
        for report in reports {
            logger.info(
                "push cycle committed",
                metadata: [
                    "source": "\(report.source)", "items": "\(report.items)", "events": "\(report.appended)",
                    "duplicates": "\(report.duplicates)", "repaired": "\(report.repaired)", "gap_recorded": "\(report.gapRecorded)",
                ])
        }
        do {
            // Before the deletes: a listener whose queue was taken over meanwhile deletes nothing.
            try await store.recordQueueReads(idle, fence: OwnershipFence(coverage: nil))
        } catch let error as LeaseLostError {
            throw error
        } catch {
            // The events are committed: delete the messages; the lag reads high until the next receive is recorded.
            logger.warning("recording how far the queue was read failed", metadata: ["queue": "\(queueURL)", "error": "\(error)"])
        }
        if reports.contains(where: { $0.appended > 0 }) {
            do {
                try await store.catchUpDerivation()
            } catch {
                logger.warning("deriving holds failed; the next catch-up retries", metadata: ["error": "\(error)"])
            }
        }
        let ready = deletable.filter { (concerns[$0.messageID] ?? []).isSubset(of: committed) }
        if !ready.isEmpty { await delete(ready, logger: logger) }
        return (reports, messages.count)
    }

    /// Deletes handled messages; one that cannot be deleted is received again (a duplicate, harmless).
    private func delete(_ messages: [SQSMessage], logger: Logger) async {
        let entries = messages.enumerated().map { (id: "m\($0.offset)", receiptHandle: $0.element.receiptHandle) }
        do {
            let result = try await client.deleteMessageBatch(queueURL: queueURL, entries: entries)
            for failure in result.failed {
                logger.warning(
                    "a handled message could not be deleted; it will be received again",
                    metadata: [
                        "queue": "\(queueURL)", "entry": "\(failure.id)", "code": "\(failure.code)", "error": "\(failure.message ?? "")",
                    ])
            }
        } catch {
            logger.warning("deleting handled messages failed; they will be received again", metadata: ["queue": "\(queueURL)", "error": "\(error)"])
        }
    }
}

extension SQSMessage {
    /// `SentTimestamp` as a `Timestamp`.
    fileprivate var sentAt: Timestamp? { sentTimestamp.map { Timestamp(secondsSinceEpoch: $0.timeIntervalSince1970) } }
}
