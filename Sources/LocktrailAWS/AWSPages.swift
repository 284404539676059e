/// Every page of an AWS listing API as an `AsyncSequence`: one paginator for ListObjectsV2,
/// ListObjectVersions, Scan and whatever lists next. Each page is requested when iterated to,
/// starting from no position; `next` reads the position of the following page off a page, and
/// nil ends the listing (a truncated page without a position would loop forever: it ends too).
public struct AWSPages<Page: Sendable, Position: Sendable>: AsyncSequence, Sendable {
    /// A page.
    public typealias Element = Page

    let fetch: @Sendable (Position?) async throws -> Page
    let position: @Sendable (Page) -> Position?

    /// Pages fetched by `fetch` (given nil first, then each page's `position`) until `position` is nil.
    public init(fetch: @escaping @Sendable (Position?) async throws -> Page, next position: @escaping @Sendable (Page) -> Position?) {
        self.fetch = fetch
        self.position = position
    }

    /// Starts from the first page.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pages: self) }

    /// Follows each page's position until the listing is complete.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let pages: AWSPages
        var position: Position?
        var finished = false

        /// The next page, or nil after the last.
        public mutating func next() async throws -> Page? {
            guard !finished else { return nil }
            let page = try await pages.fetch(position)
            position = pages.position(page)
            finished = position == nil
            return page
        }
    }
}

/// Where a ListObjectVersions page starts: both markers of the previous page.
public struct S3VersionMarker: Sendable, Equatable {
    /// The key marker (URL-decoded).
    public var key: String
    /// The version-id marker, if any.
    public var versionID: String?
}

/// Every ListObjectsV2 page under a prefix.
public typealias S3ObjectListingPages = AWSPages<S3ObjectListingPage, String>
/// Every ListObjectVersions page under a prefix.
public typealias S3VersionListingPages = AWSPages<S3VersionListingPage, S3VersionMarker>
/// The pages of a full-table Scan.
public typealias DynamoDBScanPages = AWSPages<DynamoDBScanPage, DynamoDBItem>
