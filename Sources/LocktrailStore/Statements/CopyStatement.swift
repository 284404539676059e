/// A `COPY … FROM STDIN` of `queries/`: the file, and how one record becomes the columns the
/// file lists, in that order.
package protocol CopyStatement: Sendable {
    /// What one copied row is made from.
    associatedtype Record

    /// The file whose `COPY` this statement runs.
    static var file: QueryFile { get }

    /// The fields of one row in the file's column order; nil is NULL.
    static func fields(_ record: Record) -> [String?]
}
