import ArgumentParser
import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailStore

/// Options every query shares: where the answer comes from (`--database` or `--server`) and how
/// it is printed (`--format`).
struct QueryOptions: ParsableArguments {
    @OptionGroup var db: DatabaseOptions

    @OptionGroup var remoteServer: ServerOptions

    @Option(name: .long, help: "Output format: table, json or csv (default: table on a terminal, json otherwise).")
    var format: OutputFormat?

    /// The server that answers instead of the database, if any.
    var server: String? { remoteServer.server }

    /// The clock of this machine: relative times (`2h`) are resolved against it.
    var now: Timestamp { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    /// Parses a time option (RFC 3339 or relative, in years 1–9999), naming `option` when it is not one.
    func time(_ text: String?, option: String) throws -> Timestamp? {
        guard let text else { return nil }
        do {
            return try TimeExpression.resolve(text, now: now)
        } catch {
            throw ValidationError("\(option) '\(text)' \(error.reason)")
        }
    }

    /// Up to `limit` items of a list answer, page by page, from the server or the database.
    func list(
        path: String, parameters: [(String, String?)], limit: Int,
        local: (AnswerStore, String?, Int) async throws -> AnswerPage
    ) async throws -> [JSONValue] {
        try await answering {
            var items: [JSONValue] = []
            var cursor: String?
            let store = try await localStore()
            repeat {
                let pageSize = min(Answers.maxLimit, limit - items.count)
                let page: AnswerPage
                if let remote = try remote() {
                    page = try await remote.page(path: path, parameters: parameters + [("limit", String(pageSize)), ("cursor", cursor)])
                } else {
                    page = try await local(store!.answers, cursor, pageSize)
                }
                items += page.items
                cursor = page.nextCursor
            } while cursor != nil && items.count < limit
            return items
        }
    }

    /// A single answer (e.g. `who`), from the server or the database.
    func single(path: String, parameters: [(String, String?)], local: (AnswerStore) async throws -> JSONValue) async throws -> JSONValue {
        try await answering {
            if let remote = try remote() { return try await remote.get(path: path, parameters: parameters) }
            return try await local(localStore()!.answers)
        }
    }

    /// The database, caught up with the event log, or nil when a server answers.
    func localStore() async throws -> Store? {
        guard server == nil else { return nil }
        let store = try await db.openCurrentStore(maxConnections: 1)
        try await store.derivation.catchUp()
        return store
    }

    func remote() throws -> RemoteClient? { remoteServer.client() }

    /// Runs `body`, turning a question that cannot be answered into one line and exit code 2.
    func answering<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as QueryError {
            Terminal.note(error.description)
            throw ExitCode(2)
        }
    }
}

/// `--server` and `--token`: ask a locktrail server instead of the database.
struct ServerOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Ask this locktrail server instead of the database, e.g. https://locktrail.example.com (token from --token or LOCKTRAIL_TOKEN).",
            valueName: "url"))
    var server: String?

    @Option(name: .long, help: ArgumentHelp("Bearer token for --server (default: LOCKTRAIL_TOKEN).", valueName: "token"))
    var token: String?

    func validate() throws {
        if let server, !(server.hasPrefix("http://") || server.hasPrefix("https://")) {
            throw ValidationError("--server must be an http:// or https:// URL, not '\(server)'")
        }
    }

    /// The token to send: `--token`, else `LOCKTRAIL_TOKEN`.
    var resolvedToken: String? { token ?? ProcessInfo.processInfo.environment["LOCKTRAIL_TOKEN"] }

    /// A client for the server, or nil when the database answers.
    func client() -> RemoteClient? { server.map { RemoteClient(base: $0, token: resolvedToken) } }
}
