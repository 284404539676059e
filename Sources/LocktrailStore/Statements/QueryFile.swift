/// One file of `queries/`, embedded at build time. The build plugin (`EmbedSQL`) generates one
/// constant per file (`QueryFile.holdsCurrent` for `holds_current.sql`), so code that names a
/// file that does not exist does not compile.
package struct QueryFile: Hashable, Sendable, CustomStringConvertible {
    /// The file name without `.sql`; also the name the statement is prepared under.
    package let name: String
    /// The statement text.
    package let sql: String

    package var description: String { name }
}
