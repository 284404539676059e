/// The TCP settings locktrail gives a connection whose string leaves them to libpq, so a server
/// that vanishes without closing the connection (a network partition, a frozen host) is given
/// up in seconds rather than the kernel's minutes or hours, and the server, told the same
/// settings, ends the session of a client that vanished (rolling back its transaction and
/// freeing its row locks, such as a lease it was committing under).
///
/// Without them a query whose data the network swallowed waits for the kernel's retransmissions
/// (about 15 minutes), one whose answer never comes waits for TCP keepalives (2 hours idle by
/// default), and a connection attempt to a silent host for the SYN retries (about 2 minutes).
enum NetworkDefaults {
    /// One libpq connection option.
    struct Option: Equatable {
        var keyword: String
        var value: String
    }

    /// The defaults: a connection attempt gives up after 10 s per host; data unacknowledged for
    /// 15 s ends the connection (`tcp_user_timeout`); an idle connection (or one awaiting an
    /// answer) is probed after 10 s, every 3 s, and dropped after 3 unanswered probes — on Linux,
    /// where `tcp_user_timeout` then decides, 15 s after the server last answered.
    static let all: [Option] = [
        Option(keyword: "connect_timeout", value: "10"),
        Option(keyword: "keepalives_idle", value: "10"),
        Option(keyword: "keepalives_interval", value: "3"),
        Option(keyword: "keepalives_count", value: "3"),
        Option(keyword: "tcp_user_timeout", value: "15000"),
    ]

    /// The defaults to pass before a connection string, which overrides any of them it sets.
    /// `PGCONNECT_TIMEOUT` keeps its say over `connect_timeout`; a connection through a service
    /// (`service=` or `PGSERVICE`) gets none, as the service file's settings would lose to them.
    static func options(for conninfo: String, environment: [String: String]) -> [Option] {
        if environment["PGSERVICE"].map({ !$0.isEmpty }) == true { return [] }
        if let given = try? ConnectionString.parse(conninfo), given.contains(where: { $0.keyword == "service" }) { return [] }
        return all.filter { !($0.keyword == "connect_timeout" && environment["PGCONNECT_TIMEOUT"].map { !$0.isEmpty } == true) }
    }

    /// A statement (starting with `; `) that gives the server's side of a TCP session the
    /// keepalive and user-timeout settings libpq connected with, where the server has none of its
    /// own (`pg_settings.source` is `default`): a DBA's, a role's or the string's `options` win.
    static func serverSide(_ options: [String: String], overTCP: Bool) -> String {
        guard overTCP else { return "" }
        let pairs = [
            ("keepalives_idle", "tcp_keepalives_idle"), ("keepalives_interval", "tcp_keepalives_interval"),
            ("keepalives_count", "tcp_keepalives_count"), ("tcp_user_timeout", "tcp_user_timeout"),
        ]
        // Only integers reach the SQL (libpq has checked them already).
        let values = pairs.compactMap { client, server in
            options[client].flatMap { Int($0) }.flatMap { $0 > 0 ? "('\(server)', '\($0)')" : nil }
        }
        guard !values.isEmpty else { return "" }
        return "; SELECT set_config(s.name, v.value, false) FROM pg_settings s JOIN (VALUES "
            + values.joined(separator: ", ") + ") AS v (name, value) ON s.name = v.name WHERE s.source = 'default'"
    }
}
