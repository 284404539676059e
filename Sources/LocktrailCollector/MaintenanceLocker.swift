public import LocktrailAWS
public import LocktrailCore

/// Writes and removes maintenance locks the way terraform takes and releases its own: the lock
/// file with `If-None-Match: *` first, then the DynamoDB item with `attribute_not_exists(LockID)`;
/// released lock file first, then DynamoDB, each only while it still holds this lock's record.
public struct MaintenanceLocker: Sendable {
    /// The DynamoDB client, when the lock uses a table.
    public var dynamoDB: DynamoDBClient?
    /// The S3 client, when the lock uses the lock file.
    public var s3: S3Client?

    /// A locker on these clients.
    public init(dynamoDB: DynamoDBClient?, s3: S3Client?) {
        (self.dynamoDB, self.s3) = (dynamoDB, s3)
    }

    /// What an acquire did.
    public enum Acquired: Sendable {
        /// The lock is in place in every mechanism.
        case locked
        /// `mechanism` is held by another lock (its record, when readable); nothing was left behind.
        case held(mechanism: String, holder: LockRecord?, raw: String?)
    }

    /// Takes the lock in every mechanism of `target`, or none.
    public func acquire(_ lock: MaintenanceLock, target: MaintenanceTarget) async throws -> Acquired {
        guard let identity = StateIdentity(lockPath: lock.state) else { throw MaintenanceLockError.badState(lock.state) }
        let record = Array(lock.record.utf8)
        var lockFileETag: String?
        if target.lockfile {
            let s3 = try require(s3, "S3")
            do {
                let head = try await s3.putObject(
                    bucket: identity.bucket, key: identity.lockFileKey, body: record,
                    contentType: "application/json", ifNoneMatch: "*")
                lockFileETag = head.eTag
            } catch let error as AWSError where error.code == .preconditionFailed || error.statusCode == 412 {
                let body = try? await s3.getObject(bucket: identity.bucket, key: identity.lockFileKey).body
                return .held(
                    mechanism: "s3-lockfile", holder: body.flatMap { LockRecordParse.parse($0).record },
                    raw: body.map { String(decoding: $0, as: UTF8.self) })
            }
        }
        if let table = target.table {
            let dynamo = try require(dynamoDB, "DynamoDB")
            do {
                try await dynamo.putItem(
                    table: table, item: ["LockID": .string(identity.lockPath), "Info": .string(lock.record)],
                    conditionExpression: "attribute_not_exists(LockID)")
            } catch let error as AWSError where error.code == .conditionalCheckFailed {
                // As terraform does: give the lock file back before reporting the holder.
                if let lockFileETag, let s3 {
                    _ = try? await s3.deleteObject(bucket: identity.bucket, key: identity.lockFileKey, ifMatch: lockFileETag)
                }
                let info = try? await dynamo.getItem(table: table, key: ["LockID": .string(identity.lockPath)])?["Info"]?.stringValue
                return .held(mechanism: "dynamodb", holder: info.flatMap { LockRecordParse.parse(Array($0.utf8)).record }, raw: info)
            }
        }
        return .locked
    }

    /// Removes `lock` from every mechanism that still holds its exact record: `removed` lists
    /// those, `gone` those that no longer held it (absent, or another lock).
    public func release(_ lock: OpenMaintenanceLock) async throws -> (removed: [String], gone: [String]) {
        guard let identity = StateIdentity(lockPath: lock.lock.state) else { throw MaintenanceLockError.badState(lock.lock.state) }
        var removed: [String] = [], gone: [String] = []
        if lock.target.lockfile {
            let s3 = try require(s3, "S3")
            do {
                let object = try await s3.getObject(bucket: identity.bucket, key: identity.lockFileKey)
                if object.body == Array(lock.record.utf8) {
                    try await s3.deleteObject(bucket: identity.bucket, key: identity.lockFileKey, ifMatch: object.eTag)
                    removed.append("s3-lockfile")
                } else {
                    gone.append("s3-lockfile")
                }
            } catch let error as AWSError where error.code == .noSuchKey || error.code == .preconditionFailed || error.statusCode == 404 {
                gone.append("s3-lockfile")
            }
        }
        if let table = lock.target.table {
            let dynamo = try require(dynamoDB, "DynamoDB")
            do {
                _ = try await dynamo.deleteItem(
                    table: table, key: ["LockID": .string(identity.lockPath)], conditionExpression: "#info = :info",
                    expressionAttributeNames: ["#info": "Info"], expressionAttributeValues: [":info": .string(lock.record)])
                removed.append("dynamodb")
            } catch let error as AWSError where error.code == .conditionalCheckFailed {
                gone.append("dynamodb")
            }
        }
        return (removed, gone)
    }

    private func require<T>(_ client: T?, _ name: String) throws -> T {
        guard let client else { throw MaintenanceLockError.noClient(name) }
        return client
    }
}

/// Why a maintenance lock could not be written or removed.
public enum MaintenanceLockError: Error, CustomStringConvertible {
    /// The state is not a lock path.
    case badState(String)
    /// The AWS settings give no client for this mechanism.
    case noClient(String)

    public var description: String {
        switch self {
        case .badState(let s): "'\(s)' is not a lock path BUCKET/KEY"
        case .noClient(let name): "no \(name) client: check the AWS settings (region, endpoint)"
        }
    }
}

/// Removes the maintenance locks whose TTL ran out and whose mechanisms this collector source
/// watches, before the source's cycle (so that cycle sees the release). Needs write access:
/// `dynamodb:DeleteItem` on the table, `s3:GetObject` and `s3:DeleteObject` on `*.tflock` keys.
public struct MaintenanceExpiry: Sendable {
    /// The source whose locks these are.
    public var source: String
    /// The clients that remove them.
    public var locker: MaintenanceLocker

    /// Expiry for `source`.
    public init(source: String, locker: MaintenanceLocker) {
        (self.source, self.locker) = (source, locker)
    }

    /// The expired locks this source owns, removed; each recorded as `lock.maintenance_expired`.
    public func sweep(open: [OpenMaintenanceLock], now: Timestamp) async throws -> [Event] {
        var events: [Event] = []
        for lock in open where lock.isExpired(at: now) && lock.target.isOwned(bySource: source, state: lock.lock.state) {
            // Only records that are maintenance locks: the log's event must describe one.
            guard MaintenanceLock.mark(operation: LockRecordParse.parse(Array(lock.record.utf8)).record?.operation, info: lock.lock.info) != nil
            else { continue }
            let (removed, gone) = try await locker.release(lock)
            events.append(lock.endEvent(.maintenanceExpired, by: source, removed: removed, gone: gone, at: now))
        }
        return events
    }
}
