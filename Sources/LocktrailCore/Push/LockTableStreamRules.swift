import LocktrailCrypto

/// The DynamoDB stream rules (terraform-locks.md §3 and §9): each record of a lock table's stream
/// becomes the events a scan would have built for the same change — same kinds, mechanism
/// `dynamodb`, same details — so the derivation treats both alike. An INSERT of a lock item is
/// `lock.acquired`, its REMOVE `lock.released`, a MODIFY to another lock record both; a `-md5`
/// digest INSERT or changed MODIFY is `state.written`, its REMOVE `state.digest_removed`; an item
/// that is neither is kept raw with the reason, as the scan does.
///
/// Time: AWS documents `ApproximateCreationDateTime` as rounded down to the second (the emulator
/// sends milliseconds), so a change happened in `[floor(t), floor(t) + 1 s)`; an acquire whose
/// `Created` falls inside that second is exact at `Created`, as a scan takes it when it falls inside
/// the scan window. Identity: stream ARN and sequence number, so a record read twice is one event.
public struct LockTableStreamRules: Sendable {
    /// The source name, e.g. `dynamodb:us-east-1/terraform-locks`.
    public var source: String
    /// The table name.
    public var table: String
    /// How workspaces are laid out in the buckets this table locks.
    public var layout: WorkspaceLayout

    /// Rules for one table's stream.
    public init(source: String, table: String, layout: WorkspaceLayout = .standard) {
        self.source = source
        self.table = table
        self.layout = layout
    }

    /// The one-second bounds of a change stamped `seconds`: `[floor(seconds), floor(seconds) + 1 s)`;
    /// nil for a stamp that is no time (not finite, or outside the years 1–9999 an event can carry).
    public static func bounds(approximateCreationSeconds seconds: Double) -> EventTime? {
        guard let second = wholeSecond(seconds) else { return nil }
        return .between(after: second.adding(microseconds: -1), notAfter: second.adding(microseconds: 999_999))
    }

    /// `floor(seconds)` as a timestamp, if `seconds` is a time at all (the conversion would trap otherwise).
    static func wholeSecond(_ seconds: Double) -> Timestamp? {
        let range = Timestamp.supportedRange
        guard seconds.isFinite, (range.lowerBound.secondsSinceEpoch...range.upperBound.secondsSinceEpoch).contains(seconds) else { return nil }
        return Timestamp(microsecondsSinceEpoch: Int64(seconds.rounded(.down)) * 1_000_000)
    }

    /// The events of one record, read at `observedAt`.
    public func events(for record: LockTableStreamRecord, observedAt: Timestamp) -> [Event] {
        let context = Context(rules: self, record: record, observedAt: observedAt)
        guard let change = record.change else {
            return [context.unparsed("stream record with unknown eventName \(record.eventName)", item: record.newImage ?? record.oldImage)]
        }
        switch change {
        case .insert:
            guard let new = record.newImage else {
                return [context.unparsed("INSERT record carries no NewImage (stream view is not NEW_AND_OLD_IMAGES)", item: nil)]
            }
            return context.appeared(new, previous: nil)
        case .remove:
            guard let old = record.oldImage else {
                return [context.unparsed("REMOVE record carries no OldImage (stream view is not NEW_AND_OLD_IMAGES)", item: nil)]
            }
            return context.disappeared(old, replacedBy: nil)
        case .modify:
            guard let old = record.oldImage, let new = record.newImage else {
                return [
                    context.unparsed("MODIFY record lacks an image (stream view is not NEW_AND_OLD_IMAGES)", item: record.newImage ?? record.oldImage)
                ]
            }
            let (oldEntry, newEntry) = (entry(for: old), entry(for: new))
            if oldEntry == newEntry { return [] }
            if oldEntry.kind == .digest, newEntry.kind == .digest { return context.appeared(new, previous: oldEntry) }
            return context.disappeared(old, replacedBy: newEntry) + context.appeared(new, previous: oldEntry)
        }
    }

    /// What an image is, by the scan's own classification.
    func entry(for item: LockTableItem) -> SnapshotEntry {
        if let id = item.lockID, case .digest? = DynamoDBLockKey(lockID: id, layout: layout), item.info == nil {
            return .digest(item.digest ?? "")
        }
        if let id = item.lockID, case .lock? = DynamoDBLockKey(lockID: id, layout: layout), let info = item.info {
            return .lock(info: info)
        }
        return .other(fingerprint: Hex.encode(Digest.sha256(CanonicalJSON.encode(item.raw))))
    }

    /// One record's event builder.
    private struct Context {
        let rules: LockTableStreamRules
        let record: LockTableStreamRecord
        let observedAt: Timestamp

        /// `ApproximateCreationDateTime`, when it is a usable time.
        var seconds: Double? {
            guard let seconds = record.approximateCreationSeconds, LockTableStreamRules.wholeSecond(seconds) != nil else { return nil }
            return seconds
        }

        /// The record's bounds, or "not after it was read" when it has no usable time.
        var bounds: EventTime {
            seconds.flatMap(LockTableStreamRules.bounds(approximateCreationSeconds:)) ?? .between(after: nil, notAfter: observedAt)
        }

        var basis: TimeBasis { seconds == nil ? .read : .stream }

        var state: StateIdentity? { record.lockID.flatMap { DynamoDBLockKey(lockID: $0, layout: rules.layout)?.state } }

        func eventKey(_ what: String) -> String { "ddbs|\(record.streamARN)|\(record.sequenceNumber)|\(what)" }

        /// Where the record was read: the table, the stream and the record's position and time.
        var context: ObservationContext {
            // Rounded, not truncated: 1796115566.612 is not to read as …566.611999.
            let approximate = seconds.map { Timestamp(microsecondsSinceEpoch: Int64(($0 * 1_000_000).rounded())) }
            // A TTL expiry is DynamoDB's own deletion, not a client's: say so, claim nothing more.
            return .dynamoDBStream(
                StreamRecordContext(
                    table: rules.table, streamARN: record.streamARN, sequenceNumber: record.sequenceNumber, streamEvent: record.eventName,
                    eventID: record.eventID, shardID: record.shardID, approximateCreation: approximate, removedBy: record.principal))
        }

        func event<D: EventDetails>(_ kind: EventKind, _ what: String, time: EventTime, lockID: String?, details: D, raw: JSONValue?) -> Event {
            Event(
                key: eventKey(what), kind: kind, source: rules.source, mechanism: .dynamodb, time: time, observedAt: observedAt,
                lockID: lockID, state: state?.lockPath, workspace: state?.workspace, details: details, raw: raw)
        }

        func unparsed(_ reason: String, item: LockTableItem?) -> Event {
            event(
                .observationUnparsed, "unparsed", time: bounds, lockID: nil,
                details: UnparsedDetails(context: context, reason: reason, itemKind: .streamRecord, timeBasis: basis), raw: item?.raw)
        }

        func appeared(_ item: LockTableItem, previous: SnapshotEntry?) -> [Event] {
            switch rules.entry(for: item) {
            case .lock(let info):
                switch LockRecordParse.parse(Array(info.utf8)) {
                case .record(let lock):
                    var details = LockChangeDetails(
                        context: context, record: lock, timeBasis: basis,
                        pathMismatch: lock.path.map { $0 != record.lockID } ?? false)
                    var time = bounds
                    // Created is when terraform started the command: the best time there is when the
                    // stream's second confirms it (lock-timeout retries write an older Created).
                    if let created = lock.created, case .between(let after?, let notAfter) = bounds, created > after, created <= notAfter {
                        time = .exact(created)
                        details.timeBasis = .created
                    }
                    return [event(.lockAcquired, "acquired", time: time, lockID: lock.id, details: details, raw: item.raw)]
                case .unparseable(let reason):
                    return [
                        event(
                            .observationUnparsed, "unparsed", time: bounds, lockID: nil,
                            details: UnparsedDetails(
                                context: context, reason: "lock item whose Info is not a lock record: " + reason,
                                itemKind: .lock, timeBasis: basis),
                            raw: item.raw)
                    ]
                }
            case .digest(let digest):
                guard !digest.isEmpty else { return [] }  // a -md5 item without Digest writes nothing
                var details = StateWriteDetails(context: context, digest: digest, timeBasis: basis)
                if case .digest(let old)? = previous, !old.isEmpty { details.previousDigest = old }
                return [event(.stateWritten, "written", time: bounds, lockID: nil, details: details, raw: item.raw)]
            case .other:
                let reason: String
                if item.lockID == nil {
                    reason = "item has no string LockID attribute"
                } else if state == nil {
                    reason = "LockID is not <bucket>/<key>"
                } else {
                    reason = "item is neither a lock (no Info) nor a -md5 digest item"
                }
                return [
                    event(
                        .observationUnparsed, "unparsed", time: bounds, lockID: nil,
                        details: UnparsedDetails(context: context, reason: reason, itemKind: .other, timeBasis: basis), raw: item.raw)
                ]
            case .lockFile, .state, .deleteMarker:
                return []
            }
        }

        func disappeared(_ item: LockTableItem, replacedBy: SnapshotEntry?) -> [Event] {
            switch rules.entry(for: item) {
            case .lock(let info):
                let lock = LockRecordParse.parse(Array(info.utf8)).record
                var details = LockChangeDetails(
                    context: context, record: lock, timeBasis: basis,
                    reason: replacedBy?.kind == .lock ? .replaced : .disappeared)
                if case .lock(let newInfo)? = replacedBy, let newLock = LockRecordParse.parse(Array(newInfo.utf8)).record {
                    details.replacedBy = newLock.id
                }
                return [event(.lockReleased, "released", time: bounds, lockID: lock?.id, details: details, raw: item.raw)]
            case .digest(let digest):
                guard replacedBy == nil else { return [] }
                return [
                    event(
                        .stateDigestRemoved, "digest_removed", time: bounds, lockID: nil,
                        details: DigestRemovedDetails(context: context, previousDigest: digest, timeBasis: basis), raw: item.raw)
                ]
            case .other, .lockFile, .state, .deleteMarker:
                return []
            }
        }
    }
}
