internal import CLibPQ

/// Connection strings with their secrets hidden, for messages and logs.
///
/// libpq itself finds the secrets: `PQconninfoParse` reads every form libpq accepts (URLs with a
/// password in the userinfo or the query, `key=value` with quoted and escaped values), and the
/// options it marks as secret (`dispchar` `*`: `password`, `sslpassword`) are the ones hidden.
/// Parsing the strings ourselves would miss whichever form we did not think of.
public enum ConnectionString {
    /// One option libpq read from a connection string.
    struct Option: Equatable {
        var keyword: String
        var value: String
        /// libpq says the value must not be shown (passwords).
        var isSecret: Bool
    }

    /// Why libpq could not read a connection string. Its own message may quote pieces of the
    /// string, a password among them, so only the fact is kept.
    struct Unparseable: Error {}

    /// `conninfo` as libpq reads it, in `key=value` form, every secret shown as `***`:
    /// `postgresql://u:pw@h/db` → `user=u password=*** host=h dbname=db`. A string libpq cannot
    /// read comes back as a placeholder, since any part of it may be the password.
    public static func redacted(_ conninfo: String) -> String {
        guard let options = try? parse(conninfo) else { return "(a connection string libpq cannot read)" }
        return options.map { option in
            option.keyword + "=" + (option.isSecret ? "***" : quoted(option.value))
        }.joined(separator: " ")
    }

    /// `text` (a libpq error message, say) with every secret of `conninfo` replaced by `***`.
    ///
    /// When libpq cannot read `conninfo`, its messages quote the piece it stumbled on ("missing
    /// \"=\" after \"hunter2\""), which may be the password: every quoted piece of the string is
    /// hidden then.
    public static func scrub(_ text: String, secretsOf conninfo: String) -> String {
        guard let options = try? parse(conninfo) else { return hidingQuotedPieces(of: conninfo, in: text) }
        var scrubbed = text
        // Longest first, so a secret that contains another is hidden whole.
        for secret in Set(options.filter(\.isSecret).map(\.value)).sorted(by: { $0.count > $1.count }) where !secret.isEmpty {
            scrubbed = scrubbed.replacing(secret, with: "***")
        }
        return scrubbed
    }

    /// The options set in `conninfo` (no defaults, no environment), in libpq's order.
    ///
    /// libpq treats a string with neither `=` nor a URL scheme as a bare database name (with
    /// `expand_dbname`, as `PostgresConnection` connects); so does this.
    static func parse(_ conninfo: String) throws(Unparseable) -> [Option] {
        let isURL = conninfo.hasPrefix("postgresql://") || conninfo.hasPrefix("postgres://")
        if !isURL, !conninfo.contains("=") {
            return conninfo.isEmpty ? [] : [Option(keyword: "dbname", value: conninfo, isSecret: false)]
        }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(conninfo, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            throw Unparseable()
        }
        defer { PQconninfoFree(parsed) }
        var options: [Option] = []
        var cursor = parsed
        while let keyword = cursor.pointee.keyword {
            if let value = cursor.pointee.val {
                let display = cursor.pointee.dispchar.map { String(cString: $0) } ?? ""
                options.append(Option(keyword: String(cString: keyword), value: String(cString: value), isSecret: display == "*"))
            }
            cursor += 1
        }
        return options
    }

    /// A value as libpq's `key=value` syntax needs it: single-quoted, with `\` and `'` escaped,
    /// when it is empty or holds a space, a quote or a backslash.
    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0.isWhitespace || $0 == "'" || $0 == "\\" }) else { return value }
        return "'" + value.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }

    /// `text` with every double-quoted piece that appears in `conninfo` shown as `"***"`, except
    /// `"="`, which libpq quotes when it names the missing sign.
    static func hidingQuotedPieces(of conninfo: String, in text: String) -> String {
        let pieces = text.split(separator: "\"", omittingEmptySubsequences: false)
        guard pieces.count >= 3 else { return text }
        var out = ""
        for (index, piece) in pieces.enumerated() {
            if index > 0 { out += "\"" }
            // Odd pieces are inside quotes.
            let isQuoted = index % 2 == 1 && index < pieces.count - 1
            out += isQuoted && piece != "=" && conninfo.contains(piece) ? "***" : String(piece)
        }
        return out
    }
}
