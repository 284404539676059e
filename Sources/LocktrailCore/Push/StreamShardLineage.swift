/// The order in which to read a stream's shards: a child's records follow its parent's, so a
/// parent is read (and, once closed, finished) before its children start. Shards whose parent is
/// no longer listed (trimmed after 24 hours) start a lineage of their own.
public struct StreamShardLineage: Sendable {
    /// The shards as listed.
    public let shards: [StreamShard]
    private let byID: [String: StreamShard]

    /// The lineage of `shards` (duplicates by id keep the last listing).
    public init(shards: [StreamShard]) {
        self.shards = shards
        var byID: [String: StreamShard] = [:]
        for shard in shards { byID[shard.id] = shard }
        self.byID = byID
    }

    /// The shard's parent if it is listed; nil for a first shard and for one whose parent was trimmed.
    public func listedParent(of id: String) -> StreamShard? {
        byID[id]?.parentID.flatMap { byID[$0] }
    }

    /// Shards that name a parent DescribeStream no longer lists: the parent's records are gone, so
    /// a reader that had not finished it has a gap there.
    public var trimmedParents: [(shard: String, parent: String)] {
        readOrder.compactMap { id in
            guard let parent = byID[id]?.parentID, byID[parent] == nil else { return nil }
            return (id, parent)
        }
    }

    /// Every shard, each after its parent; lineages side by side in order of their roots'
    /// starting sequence numbers, siblings likewise (then by id, so the order is stable).
    public var readOrder: [String] {
        var children: [String: [StreamShard]] = [:]
        var roots: [StreamShard] = []
        for shard in byID.values {
            if let parent = shard.parentID, byID[parent] != nil, parent != shard.id {
                children[parent, default: []].append(shard)
            } else {
                roots.append(shard)
            }
        }
        var order: [String] = []
        var seen: Set<String> = []
        func visit(_ shard: StreamShard) {
            guard seen.insert(shard.id).inserted else { return }
            order.append(shard.id)
            for child in Self.sorted(children[shard.id] ?? []) { visit(child) }
        }
        for root in Self.sorted(roots) { visit(root) }
        // A parent cycle (never sent by AWS) has no root: read what is left as if each were one.
        for shard in Self.sorted(Array(byID.values)) where !seen.contains(shard.id) { visit(shard) }
        return order
    }

    /// The shards to read now, in read order: not finished, and with a parent that is finished or
    /// not listed. An open parent keeps its children waiting, as AWS requires.
    public func ready(finished: Set<String>) -> [String] {
        readOrder.filter { id in
            guard !finished.contains(id) else { return false }
            guard let parent = listedParent(of: id) else { return true }
            return finished.contains(parent.id)
        }
    }

    /// Finished shards DescribeStream no longer lists: their positions can be forgotten.
    public func forgettable(finished: Set<String>) -> [String] {
        finished.filter { byID[$0] == nil }.sorted()
    }

    private static func sorted(_ shards: [StreamShard]) -> [StreamShard] {
        shards.sorted { a, b in
            switch (a.startingSequenceNumber, b.startingSequenceNumber) {
            case (let x?, let y?) where x != y: return compare(x, y) == .orderedAscending
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.id < b.id
            }
        }
    }

    /// Compares two sequence numbers: decimal strings of up to 40 digits, beyond any integer type.
    public static func compare(_ a: String, _ b: String) -> SequenceOrder {
        let x = a.drop { $0 == "0" }, y = b.drop { $0 == "0" }
        if x.count != y.count { return x.count < y.count ? .orderedAscending : .orderedDescending }
        if x == y { return .orderedSame }
        return x < y ? .orderedAscending : .orderedDescending
    }

    /// How two sequence numbers compare.
    public enum SequenceOrder: Sendable {
        /// The first is smaller.
        case orderedAscending
        /// They are equal.
        case orderedSame
        /// The first is larger.
        case orderedDescending
    }
}
