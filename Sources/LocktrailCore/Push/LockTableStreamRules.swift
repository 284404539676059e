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
            guard let new = record.newImage else { return [context.unparsed("INSERT record carries no NewImage (stream view is not NEW_AND_OLD_IMAGES)", item: nil)] }
            return context.appeared(new, previous: nil)
        case .remove:
            guard let old = record.oldImage else { return [context.unparsed("REMOVE record carries no OldImage (stream view is not NEW_AND_OLD_IMAGES)", item: nil)] }
            return context.disappeared(old, replacedBy: nil)
        case .modify:
            guard let old = record.oldImage, let new = record.newImage else {
                return [context.unparsed("MODIFY record lacks an image (stream view is not NEW_AND_OLD_IMAGES)", item: record.newImage ?? record.oldImage)]
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

        var basis: JSONValue { seconds == nil ? "read" : "stream" }

        var state: StateIdentity? { record.lockID.flatMap { DynamoDBLockKey(lockID: $0, layout: rules.layout)?.state } }

        func eventKey(_ what: String) -> String { "ddbs|\(record.streamARN)|\(record.sequenceNumber)|\(what)" }

        func event(_ kind: EventKind, _ what: String, time: EventTime, lockID: String?, details: [String: JSONValue], raw: JSONValue?) -> Event {
            var d = details
            d["table"] = .string(rules.table)
            d["stream_arn"] = .string(record.streamARN)
            d["sequence_number"] = .string(record.sequenceNumber)
            d["stream_event"] = .string(record.eventName)
            d["event_id"] = .optional(record.eventID)
            d["shard_id"] = .optional(record.shardID)
            if let seconds {
                // Rounded, not truncated: 1796115566.612 is not to read as …566.611999.
                d["approximate_creation"] = .string(Timestamp(microsecondsSinceEpoch: Int64((seconds * 1_000_000).rounded())).rfc3339)
            }
            // A TTL expiry is DynamoDB's own deletion, not a client's: say so, claim nothing more.
            if let principal = record.principal { d["removed_by"] = .string(principal) }
            if d["time_basis"] == nil { d["time_basis"] = basis }
            return Event(key: eventKey(what), kind: kind, source: rules.source, mechanism: "dynamodb", time: time, observedAt: observedAt,
                         lockID: lockID, state: state?.lockPath, workspace: state?.workspace, details: .object(d), raw: raw)
        }

        func unparsed(_ reason: String, item: LockTableItem?) -> Event {
            event(.observationUnparsed, "unparsed", time: bounds, lockID: nil,
                  details: ["reason": .string(reason), "item_kind": "stream_record"], raw: item?.raw)
        }

        func appeared(_ item: LockTableItem, previous: SnapshotEntry?) -> [Event] {
            switch rules.entry(for: item) {
            case .lock(let info):
                switch LockRecordParse.parse(Array(info.utf8)) {
                case .record(let lock):
                    var details = lock.eventDetails
                    var time = bounds
                    // Created is when terraform started the command: the best time there is when the
                    // stream's second confirms it (lock-timeout retries write an older Created).
                    if let created = lock.created, case .between(let after?, let notAfter) = bounds, created > after, created <= notAfter {
                        time = .exact(created)
                        details["time_basis"] = "created"
                    }
                    if let path = lock.path, path != record.lockID { details["path_mismatch"] = .bool(true) }
                    return [event(.lockAcquired, "acquired", time: time, lockID: lock.id, details: details, raw: item.raw)]
                case .unparseable(let reason):
                    return [event(.observationUnparsed, "unparsed", time: bounds, lockID: nil,
                                  details: ["reason": .string("lock item whose Info is not a lock record: " + reason), "item_kind": "lock"],
                                  raw: item.raw)]
                }
            case .digest(let digest):
                guard !digest.isEmpty else { return [] }  // a -md5 item without Digest writes nothing
                var details: [String: JSONValue] = ["digest": .string(digest)]
                if case .digest(let old)? = previous, !old.isEmpty { details["previous_digest"] = .string(old) }
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
                return [event(.observationUnparsed, "unparsed", time: bounds, lockID: nil,
                              details: ["reason": .string(reason), "item_kind": "other"], raw: item.raw)]
            case .lockFile, .state, .deleteMarker:
                return []
            }
        }

        func disappeared(_ item: LockTableItem, replacedBy: SnapshotEntry?) -> [Event] {
            switch rules.entry(for: item) {
            case .lock(let info):
                var details: [String: JSONValue] = ["reason": replacedBy?.kind == .lock ? "replaced" : "disappeared"]
                let lock = LockRecordParse.parse(Array(info.utf8)).record
                if let lock { details.merge(lock.eventDetails) { a, _ in a } } else { details["unparsed"] = true }
                if case .lock(let newInfo)? = replacedBy, let newLock = LockRecordParse.parse(Array(newInfo.utf8)).record {
                    details["replaced_by"] = .string(newLock.id)
                }
                return [event(.lockReleased, "released", time: bounds, lockID: lock?.id, details: details, raw: item.raw)]
            case .digest(let digest):
                guard replacedBy == nil else { return [] }
                return [event(.stateDigestRemoved, "digest_removed", time: bounds, lockID: nil,
                              details: ["previous_digest": .string(digest)], raw: item.raw)]
            case .other, .lockFile, .state, .deleteMarker:
                return []
            }
        }
    }
}
