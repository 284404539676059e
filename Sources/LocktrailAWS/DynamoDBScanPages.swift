/// One Scan page.
public struct DynamoDBScanPage: Sendable {
    /// The items on this page.
    public var items: [DynamoDBItem]
    /// Where the next page starts; nil when the scan is complete.
    public var lastEvaluatedKey: DynamoDBItem?
    /// Items examined for this page.
    public var scannedCount: Int

    /// Creates a page.
    public init(items: [DynamoDBItem], lastEvaluatedKey: DynamoDBItem?, scannedCount: Int) {
        self.items = items
        self.lastEvaluatedKey = lastEvaluatedKey
        self.scannedCount = scannedCount
    }
}

/// The pages of a full-table Scan as an `AsyncSequence`; each page is requested when iterated to.
public struct DynamoDBScanPages: AsyncSequence, Sendable {
    /// A page.
    public typealias Element = DynamoDBScanPage

    let client: DynamoDBClient
    let table: String
    let consistentRead: Bool
    let pageLimit: Int?

    /// Starts from the beginning of the table.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(pages: self)
    }

    /// Follows `LastEvaluatedKey` until the scan is complete.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let pages: DynamoDBScanPages
        var nextKey: DynamoDBItem?
        var finished = false

        init(pages: DynamoDBScanPages) { self.pages = pages }

        /// The next page, or nil after the last.
        public mutating func next() async throws -> DynamoDBScanPage? {
            guard !finished else { return nil }
            let page = try await pages.client.scan(
                table: pages.table,
                consistentRead: pages.consistentRead,
                exclusiveStartKey: nextKey,
                limit: pages.pageLimit
            )
            nextKey = page.lastEvaluatedKey
            finished = page.lastEvaluatedKey == nil
            return page
        }
    }
}
