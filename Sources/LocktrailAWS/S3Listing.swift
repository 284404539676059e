public import Foundation

// The values S3Client returns: listing pages and their lazy page sequences, objects, heads,
// versioning status and the batch-GET request/result pair.

/// One object in a ListObjectsV2 page.
public struct S3ObjectSummary: Sendable, Equatable {
    /// The object key, URL-decoded.
    public var key: String
    /// The ETag without quotes (the MD5 hex for single-part uploads without KMS).
    public var eTag: String
    /// The size in bytes.
    public var size: Int64
    /// When this (current) version was written.
    public var lastModified: Date
    /// `STANDARD`, `GLACIER`, …; nil when S3 omits it.
    public var storageClass: String?

    /// Creates a summary.
    public init(key: String, eTag: String, size: Int64, lastModified: Date, storageClass: String? = nil) {
        self.key = key
        self.eTag = eTag
        self.size = size
        self.lastModified = lastModified
        self.storageClass = storageClass
    }
}

/// One ListObjectsV2 page.
public struct S3ObjectListingPage: Sendable, Equatable {
    /// The objects on this page, in key order.
    public var objects: [S3ObjectSummary]
    /// Rolled-up prefixes (only when a delimiter was sent), URL-decoded.
    public var commonPrefixes: [String]
    /// Whether more pages follow.
    public var isTruncated: Bool
    /// The token for the next page; nil on the last page.
    public var nextContinuationToken: String?

    /// Creates a page.
    public init(objects: [S3ObjectSummary], commonPrefixes: [String] = [], isTruncated: Bool, nextContinuationToken: String?) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
        self.isTruncated = isTruncated
        self.nextContinuationToken = nextContinuationToken
    }
}

/// One object version in a ListObjectVersions page.
public struct S3ObjectVersion: Sendable, Equatable {
    /// The object key, URL-decoded.
    public var key: String
    /// The version id (`null` for objects written before versioning was enabled).
    public var versionId: String
    /// Whether this is the key's current version.
    public var isLatest: Bool
    /// When this version was written.
    public var lastModified: Date
    /// The ETag without quotes.
    public var eTag: String
    /// The size in bytes.
    public var size: Int64
    /// `STANDARD`, `GLACIER`, …; nil when S3 omits it.
    public var storageClass: String?

    /// Creates a version entry.
    public init(
        key: String,
        versionId: String,
        isLatest: Bool,
        lastModified: Date,
        eTag: String,
        size: Int64,
        storageClass: String? = nil
    ) {
        self.key = key
        self.versionId = versionId
        self.isLatest = isLatest
        self.lastModified = lastModified
        self.eTag = eTag
        self.size = size
        self.storageClass = storageClass
    }
}

/// One delete marker in a ListObjectVersions page: the trace an unconditional DeleteObject leaves.
public struct S3DeleteMarker: Sendable, Equatable {
    /// The object key, URL-decoded.
    public var key: String
    /// The marker's version id.
    public var versionId: String
    /// Whether the marker is the key's current version (the key then looks deleted).
    public var isLatest: Bool
    /// When the delete happened.
    public var lastModified: Date

    /// Creates a delete-marker entry.
    public init(key: String, versionId: String, isLatest: Bool, lastModified: Date) {
        self.key = key
        self.versionId = versionId
        self.isLatest = isLatest
        self.lastModified = lastModified
    }
}

/// A ListObjectVersions entry: an object version or a delete marker.
public enum S3VersionEntry: Sendable, Equatable {
    /// A stored version with content.
    case version(S3ObjectVersion)
    /// A delete marker.
    case deleteMarker(S3DeleteMarker)

    /// The object key.
    public var key: String {
        switch self {
        case .version(let version): version.key
        case .deleteMarker(let marker): marker.key
        }
    }

    /// The version id.
    public var versionId: String {
        switch self {
        case .version(let version): version.versionId
        case .deleteMarker(let marker): marker.versionId
        }
    }

    /// Whether this entry is the key's current version.
    public var isLatest: Bool {
        switch self {
        case .version(let version): version.isLatest
        case .deleteMarker(let marker): marker.isLatest
        }
    }

    /// When the version was written or the delete happened.
    public var lastModified: Date {
        switch self {
        case .version(let version): version.lastModified
        case .deleteMarker(let marker): marker.lastModified
        }
    }

    /// Whether this entry is a delete marker.
    public var isDeleteMarker: Bool {
        if case .deleteMarker = self { return true }
        return false
    }
}

/// One ListObjectVersions page.
public struct S3VersionListingPage: Sendable, Equatable {
    /// Versions and delete markers in document order: by key, newest first per key (on real S3).
    public var entries: [S3VersionEntry]
    /// Whether more pages follow.
    public var isTruncated: Bool
    /// The key marker for the next page (URL-decoded); nil on the last page.
    public var nextKeyMarker: String?
    /// The version-id marker for the next page; nil on the last page.
    public var nextVersionIdMarker: String?

    /// Creates a page.
    public init(entries: [S3VersionEntry], isTruncated: Bool, nextKeyMarker: String?, nextVersionIdMarker: String?) {
        self.entries = entries
        self.isTruncated = isTruncated
        self.nextKeyMarker = nextKeyMarker
        self.nextVersionIdMarker = nextVersionIdMarker
    }

    /// The object versions on this page, in document order.
    public var versions: [S3ObjectVersion] {
        entries.compactMap { if case .version(let version) = $0 { version } else { nil } }
    }

    /// The delete markers on this page, in document order.
    public var deleteMarkers: [S3DeleteMarker] {
        entries.compactMap { if case .deleteMarker(let marker) = $0 { marker } else { nil } }
    }
}

/// One key's history since a known version, newest first (`S3Client.keyVersions`).
public struct S3KeyVersions: Sendable, Equatable {
    /// The bucket.
    public var bucket: String
    /// The key.
    public var key: String
    /// The key's versions and delete markers newer than the known version, newest first.
    public var entries: [S3VersionEntry]
    /// Whether the known version was found: false means everything listed is new (no known version
    /// was given, or it has been deleted or pruned since).
    public var reachedKnown: Bool
    /// How many listing pages were fetched.
    public var pages: Int
    /// The known entry the listing stopped at, when it was reached.
    public var known: S3VersionEntry?
    /// Every entry of the key on the pages read, newest first: also those after the known one.
    public var listed: [S3VersionEntry] = []

    /// A key's history.
    public init(bucket: String, key: String, entries: [S3VersionEntry], reachedKnown: Bool, pages: Int) {
        self.bucket = bucket
        self.key = key
        self.entries = entries
        self.reachedKnown = reachedKnown
        self.pages = pages
    }

    /// One key's listed entries, newest first.
    ///
    /// Real S3 lists a key's versions and delete markers interleaved, newest first; the emulator
    /// lists a page's versions and then its markers, and both give whole seconds. Each kind is
    /// newest first either way, so the two are merged by time; within one second the current
    /// entry (`IsLatest`) comes first, and then kinds alternate: a lock file is only put on an
    /// absent key, so an older neighbour of a version is a marker and of a marker a version.
    public static func newestFirst(_ entries: [S3VersionEntry]) -> [S3VersionEntry] {
        let versions = entries.filter { !$0.isDeleteMarker }
        let markers = entries.filter(\.isDeleteMarker)
        var out: [S3VersionEntry] = []
        out.reserveCapacity(entries.count)
        var (v, m) = (0, 0)
        var lastWasVersion: Bool?
        while v < versions.count || m < markers.count {
            let takeVersion: Bool
            if v == versions.count {
                takeVersion = false
            } else if m == markers.count {
                takeVersion = true
            } else if versions[v].lastModified != markers[m].lastModified {
                takeVersion = versions[v].lastModified > markers[m].lastModified
            } else if let lastWasVersion {
                takeVersion = !lastWasVersion
            } else {
                takeVersion = versions[v].isLatest || !markers[m].isLatest
            }
            if takeVersion {
                out.append(versions[v])
                v += 1
            } else {
                out.append(markers[m])
                m += 1
            }
            lastWasVersion = takeVersion
        }
        return out
    }
}

/// A bucket's versioning state as GetBucketVersioning reports it.
public enum S3VersioningStatus: String, Sendable, Equatable {
    /// Every write keeps the previous version.
    case enabled = "Enabled"
    /// Versioning was on and has been paused; old versions remain.
    case suspended = "Suspended"
    /// Versioning was never turned on: no history to ingest.
    case neverEnabled = "NeverEnabled"
}

/// The response headers of GetObject/HeadObject that locktrail uses.
public struct S3ObjectHead: Sendable, Equatable {
    /// The ETag without quotes.
    public var eTag: String
    /// The version id, when the bucket is (or was) versioned.
    public var versionId: String?
    /// When the object (version) was written, from `Last-Modified`.
    public var lastModified: Date?
    /// The `Content-Length` of the response (the range length for ranged GETs; the size for HEAD).
    public var contentLength: Int64
    /// The `Content-Type` stored with the object.
    public var contentType: String?

    /// Creates a head.
    public init(eTag: String, versionId: String?, lastModified: Date?, contentLength: Int64, contentType: String?) {
        self.eTag = eTag
        self.versionId = versionId
        self.lastModified = lastModified
        self.contentLength = contentLength
        self.contentType = contentType
    }
}

/// An object's bytes (or a range of them) with its metadata.
public struct S3Object: Sendable, Equatable {
    /// The body: the whole object, or the requested range (status 206).
    public var body: [UInt8]
    /// The ETag without quotes.
    public var eTag: String
    /// The version id, when the bucket is (or was) versioned.
    public var versionId: String?
    /// When the object (version) was written.
    public var lastModified: Date?
    /// The number of body bytes S3 announced.
    public var contentLength: Int64
    /// `bytes 0-199/5123` for a ranged GET; nil otherwise.
    public var contentRange: String?
    /// The `Content-Type` stored with the object.
    public var contentType: String?
    /// 200, or 206 for a ranged GET.
    public var statusCode: Int

    /// Creates an object.
    public init(
        body: [UInt8],
        eTag: String,
        versionId: String?,
        lastModified: Date?,
        contentLength: Int64,
        contentRange: String? = nil,
        contentType: String? = nil,
        statusCode: Int = 200
    ) {
        self.body = body
        self.eTag = eTag
        self.versionId = versionId
        self.lastModified = lastModified
        self.contentLength = contentLength
        self.contentRange = contentRange
        self.contentType = contentType
        self.statusCode = statusCode
    }

    /// The object's full size: from `Content-Range` after a ranged GET, else the body length.
    public var totalSize: Int64? {
        guard let contentRange else { return contentLength }
        guard let slash = contentRange.lastIndex(of: "/") else { return nil }
        return Int64(contentRange[contentRange.index(after: slash)...])
    }
}

/// One GET in a `getObjects` batch.
public struct S3GetRequest: Sendable, Equatable {
    /// The bucket.
    public var bucket: String
    /// The object key.
    public var key: String
    /// A specific version; nil for the current one.
    public var versionId: String?
    /// Inclusive byte range; nil for the whole object.
    public var range: ClosedRange<Int>?

    /// Creates a request.
    public init(bucket: String, key: String, versionId: String? = nil, range: ClosedRange<Int>? = nil) {
        self.bucket = bucket
        self.key = key
        self.versionId = versionId
        self.range = range
    }
}

/// The outcome of one GET in a batch: the object, or the error that GET alone hit.
public typealias S3GetResult = Result<S3Object, any Error>
