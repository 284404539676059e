/// A type made from one result row, reading its columns by name (GRDB's `FetchableRecord`).
package protocol RowDecodable {
    /// Decodes `row`; throws a decoding error when a column is missing, NULL where it may not
    /// be, or unreadable.
    init(row: Row) throws
}
