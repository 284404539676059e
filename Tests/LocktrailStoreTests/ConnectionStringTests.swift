import LocktrailPostgres
import Testing

/// Passwords hidden in every form of connection string libpq reads, found by libpq's own parser.
@Suite("Connection strings: redaction")
struct ConnectionStringTests {
    /// libpq may list options in another order in another version: the pieces are checked, not
    /// their order.
    @Test(
        "every password form is hidden, the rest kept",
        arguments: [
            ("postgresql://u:pw-1@h/db", "pw-1", ["user=u", "password=***", "host=h", "dbname=db"]),
            ("postgres://u:pw-1@h:6432/db", "pw-1", ["user=u", "password=***", "host=h", "port=6432", "dbname=db"]),
            ("postgresql://u:p%40ss%20w@h/db", "p@ss w", ["user=u", "password=***", "host=h"]),
            ("postgresql://h/db?password=pw-1&sslmode=require", "pw-1", ["password=***", "sslmode=require", "dbname=db"]),
            ("postgresql://u:pw-1@h1:5432,h2:5433/db", "pw-1", ["password=***", "host=h1,h2", "port=5432,5433"]),
            ("host=h password=pw-1 user=u", "pw-1", ["host=h", "password=***", "user=u"]),
            ("host=h password = pw-1 user=u", "pw-1", ["host=h", "password=***", "user=u"]),
            ("host=h password='p w' user=u", "p w", ["host=h", "password=***", "user=u"]),
            (#"host=h password='it\'s' user=u"#, "it's", ["host=h", "password=***", "user=u"]),
            ("host=h sslpassword=key-pw-1 sslkey=/k.pem", "key-pw-1", ["host=h", "sslpassword=***", "sslkey=/k.pem"]),
            ("host=/run/pg port=5432 user=locktrail dbname=locktrail", nil, ["host=/run/pg", "port=5432", "user=locktrail", "dbname=locktrail"]),
            ("application_name='my app'", nil, ["application_name='my app'"]),
            ("mydb", nil, ["dbname=mydb"]),
        ] as [(String, String?, [String])])
    func redacted(_ conninfo: String, secret: String?, pieces: [String]) {
        let redacted = ConnectionString.redacted(conninfo)
        if let secret { #expect(!redacted.contains(secret), "\(redacted)") }
        for piece in pieces { #expect(redacted.contains(piece), "\(piece) not in \(redacted)") }
    }

    @Test(
        "a string libpq cannot read is not shown at all",
        arguments: [
            "host=h password='unterminated",
            "host=h hunter2",
            "postgresql://u:p%zzw@h/db",
        ])
    func unreadable(_ conninfo: String) {
        #expect(ConnectionString.redacted(conninfo) == "(a connection string libpq cannot read)")
    }

    @Test(
        "libpq's messages lose the secrets of the string they are about",
        arguments: [
            (
                "FATAL:  password authentication failed for user \"u\"", "postgresql://u:pw-1@h/db",
                "FATAL:  password authentication failed for user \"u\""
            ),
            ("server said pw-1 twice: pw-1", "host=h password=pw-1", "server said *** twice: ***"),
            ("echo p@ss w", "postgresql://u:p%40ss%20w@h/db", "echo ***"),
            // Unreadable: libpq quotes what it stumbled on, which may be the password.
            (
                "missing \"=\" after \"hunter2\" in connection info string", "host=h hunter2",
                "missing \"=\" after \"***\" in connection info string"
            ),
            ("invalid percent-encoded token: \"p%zzw\"", "postgresql://u:p%zzw@h/db", "invalid percent-encoded token: \"***\""),
            (
                "unterminated quoted string in connection info string", "host=h password='x",
                "unterminated quoted string in connection info string"
            ),
        ])
    func scrub(_ message: String, conninfo: String, expected: String) {
        #expect(ConnectionString.scrub(message, secretsOf: conninfo) == expected)
    }
}
