import Foundation
import LocktrailAWS
import LocktrailCore

/// The S3 side shared by the bucket source and backfill: listings without AWS types, and the
/// reads the pure rules ask for, made with bounded concurrency on reused connections.
struct S3Reader: Sendable {
    let client: S3Client
    let bucket: String
    let prefix: String?
    /// GETs in flight at once.
    let concurrency: Int

    /// Makes `reads`; a key or version gone meanwhile is `.unavailable`, any other failure throws.
    func fetch(_ reads: [S3Read]) async throws -> [String: S3Fetched] {
        guard !reads.isEmpty else { return [:] }
        let requests = reads.map { S3GetRequest(bucket: bucket, key: $0.key, versionId: $0.versionID, range: $0.range) }
        let results = try await client.getObjects(requests, maxConcurrent: concurrency)
        var fetched: [String: S3Fetched] = [:]
        fetched.reserveCapacity(reads.count)
        for (read, result) in zip(reads, results) {
            switch result {
            case .success(let object):
                fetched[read.itemKey] = .bytes(object.body, versionID: object.versionId)
            case .failure(let error as AWSError) where [.noSuchKey, .noSuchVersion, .notFound].contains(error.code):
                fetched[read.itemKey] = .unavailable(reason: "\(error.code): \(error.message)")
            case .failure(let error as AWSError) where error.statusCode == 416:
                fetched[read.itemKey] = .bytes([], versionID: read.versionID)  // a range of an empty object
            case .failure(let error):
                throw error
            }
        }
        return fetched
    }

    /// The current objects under the prefix.
    func listObjects() async throws -> [S3ListedObject] {
        var out: [S3ListedObject] = []
        for try await page in client.listAllObjects(bucket: bucket, prefix: prefix) {
            for o in page.objects {
                out.append(S3ListedObject(key: o.key, etag: o.eTag, size: o.size, lastModified: Self.timestamp(o.lastModified)))
            }
        }
        return out
    }

    /// A version-listing page's entries; `index` counts entries over the whole listing.
    static func entries(of page: S3VersionListingPage, startingAt index: Int) -> [S3HistoryEntry] {
        page.entries.enumerated().map { offset, entry in Self.entry(entry, listingIndex: index + offset) }
    }

    /// One listed version or delete marker without AWS types.
    static func entry(_ entry: S3VersionEntry, listingIndex: Int) -> S3HistoryEntry {
        switch entry {
        case .version(let v):
            return S3HistoryEntry(
                key: v.key, versionID: v.versionId, isDeleteMarker: false, lastModified: timestamp(v.lastModified),
                etag: v.eTag, size: v.size, listingIndex: listingIndex)
        case .deleteMarker(let m):
            return S3HistoryEntry(
                key: m.key, versionID: m.versionId, isDeleteMarker: true, lastModified: timestamp(m.lastModified),
                listingIndex: listingIndex)
        }
    }

    /// Each key's versions and delete markers newest first, listed page by page down to the first
    /// page that holds one `known` already has (its record is what a delete marker after it
    /// releases). Every entry of those pages is kept, the known ones too: whole-second times make
    /// the order of one second's entries a rule (`VersionHistory.chronological`), not a listing
    /// fact, so the cut is left to the rules. Newest first, so a lower listing position is newer.
    func keyHistories(_ keys: Set<String>, known: [String: SnapshotEntry]) async throws -> [S3HistoryEntry] {
        var out: [S3HistoryEntry] = []
        for key in keys.sorted() {
            let versions = try await client.keyVersions(bucket: bucket, key: key, stoppingAt: { known[key + "#" + $0] != nil })
            for entry in versions.listed {
                out.append(Self.entry(entry, listingIndex: out.count))
            }
        }
        return out
    }

    static func timestamp(_ date: Date) -> Timestamp {
        // Listings carry at most milliseconds; round so 05:06:07.999 does not become .998999.
        Timestamp(microsecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
    }
}
