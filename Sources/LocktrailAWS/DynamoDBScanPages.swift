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
