/// A cycle's batches, computed one at a time as the store writes them: a table of 100,000 states
/// never sits in memory as 100,000 events. Computing a batch is pure, so iterating twice gives
/// the same batches.
public struct CycleBatches: RandomAccessCollection, Sendable {
    private let first: [CycleBatch]
    private let lazyCount: Int
    private let make: @Sendable (Int) -> CycleBatch

    /// Batches given in full.
    public init(_ batches: [CycleBatch] = []) {
        self.first = batches
        self.lazyCount = 0
        self.make = { _ in CycleBatch() }
    }

    /// `batches`, then `count` batches made by `make(0)`, `make(1)`, … when read.
    public init(_ batches: [CycleBatch], then count: Int, _ make: @escaping @Sendable (Int) -> CycleBatch) {
        self.first = batches
        self.lazyCount = count
        self.make = make
    }

    /// The first batch's index, 0.
    public var startIndex: Int { 0 }
    /// One past the last batch.
    public var endIndex: Int { first.count + lazyCount }
    /// The batch at `position`, computed now if it is one of the lazy ones.
    public subscript(position: Int) -> CycleBatch {
        position < first.count ? first[position] : make(position - first.count)
    }
}
