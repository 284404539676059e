/// Where a maintenance lock is written: the DynamoDB lock table and/or the S3 lock file, the
/// mechanisms the state's terraform runs check.
public struct MaintenanceTarget: Hashable, Sendable {
    /// The DynamoDB lock table, if the state uses one.
    public var table: String?
    /// The table's region, when known (it names the collector source that owns the lock).
    public var region: String?
    /// Whether the state uses the S3 lock file `<key>.tflock`.
    public var lockfile: Bool

    /// A target.
    public init(table: String?, region: String? = nil, lockfile: Bool) {
        (self.table, self.region, self.lockfile) = (table, region, lockfile)
    }

    /// The mechanisms in terraform's acquire order: the lock file first, then DynamoDB.
    public var mechanisms: [String] { (lockfile ? ["s3-lockfile"] : []) + (table != nil ? ["dynamodb"] : []) }

    /// Whether the collector source named `source` (`dynamodb:REGION/TABLE`, `s3:BUCKET[/PREFIX]`)
    /// watches one of this lock's mechanisms for `state`, and so removes it when it expires.
    public func isOwned(bySource source: String, state: String) -> Bool {
        if source.hasPrefix("dynamodb:"), let table {
            let rest = source.dropFirst("dynamodb:".count)
            guard let slash = rest.firstIndex(of: "/") else { return false }
            let (sourceRegion, sourceTable) = (String(rest[..<slash]), String(rest[rest.index(after: slash)...]))
            return sourceTable == table && (region == nil || region == sourceRegion)
        }
        if source.hasPrefix("s3:"), lockfile, let identity = StateIdentity(lockPath: state) {
            let rest = source.dropFirst("s3:".count)
            let bucket = rest.firstIndex(of: "/").map { String(rest[..<$0]) } ?? String(rest)
            let prefix = rest.firstIndex(of: "/").map { String(rest[rest.index(after: $0)...]) } ?? ""
            return bucket == identity.bucket && identity.lockFileKey.hasPrefix(prefix)
        }
        return false
    }
}

/// How a state was seen locked or written: a mechanism and, for DynamoDB, the table and region.
public struct StateSighting: Hashable, Sendable {
    /// `dynamodb`, `s3-lockfile`, `s3-state`, `hook`, …
    public var mechanism: String?
    /// The source that saw it.
    public var source: String
    /// The DynamoDB table named in the event, if any.
    public var table: String?

    /// A sighting.
    public init(mechanism: String?, source: String, table: String?) {
        (self.mechanism, self.source, self.table) = (mechanism, source, table)
    }

    /// The region in a `dynamodb:REGION/TABLE` source name.
    var region: String? {
        guard source.hasPrefix("dynamodb:") else { return nil }
        let rest = source.dropFirst("dynamodb:".count)
        return rest.firstIndex(of: "/").map { String(rest[..<$0]) }
    }

    /// The table: named in the event, else from the source name.
    var resolvedTable: String? {
        if let table { return table }
        guard source.hasPrefix("dynamodb:") else { return nil }
        let rest = source.dropFirst("dynamodb:".count)
        return rest.firstIndex(of: "/").map { String(rest[rest.index(after: $0)...]) }
    }
}
