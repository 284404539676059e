import ArgumentParser
import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailCrypto
import LocktrailHTTP
import LocktrailStore

/// `locktrail export`: the raw event log for compliance, streamed page by page in constant memory.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Stream the raw events of a period as CSV or JSON lines, in constant memory.",
        discussion:
            "Events are selected by when they were observed, in [--since, --until). Each line carries the event's chain hash, so the export can be checked against `locktrail verify`."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, jsonl }

    @OptionGroup var db: DatabaseOptions

    @OptionGroup var remote: ServerOptions

    @Option(name: .long, help: "csv or jsonl (one JSON object per line).")
    var format: Format = .jsonl

    @Option(name: .long, help: ArgumentHelp("Events observed at or after this time (RFC 3339 or relative).", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Events observed before this time (RFC 3339 or relative).", valueName: "time"))
    var until: String?

    func run() async throws {
        let now = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)
        func time(_ text: String?, _ option: String) throws -> Timestamp? {
            guard let text else { return nil }
            do {
                return try TimeExpression.resolve(text, now: now)
            } catch {
                throw ValidationError("\(option) '\(text)' \(error.reason)")
            }
        }
        let since = try time(since, "--since"), until = try time(until, "--until")
        if let since, let until, until < since { throw ValidationError("--until is before --since") }
        if let server = remote.server {
            try await exportRemotely(server: server, since: since, until: until)
            return
        }
        let store = try await db.openCurrentStore(maxConnections: 1)
        let format = format
        var out = StandardOutput()
        if format == .csv { out.write(EventExport.csvHeader) }
        var after: Int64 = 0
        while true {
            let position = after
            let page = try await store.events.exportPage(after: position, since: since, until: until, limit: EventExport.pageSize)
            for stored in page { out.write(format == .csv ? EventExport.csvLine(stored) : EventExport.jsonLine(stored)) }
            out.flush()
            guard let last = page.last, page.count == EventExport.pageSize else { break }
            after = last.seq
        }
    }
}

extension ExportCommand {
    /// Streams `GET /v1/export` to standard output as it arrives: constant memory here too.
    /// Relative times were resolved on this machine and are sent as RFC 3339.
    func exportRemotely(server: String, since: Timestamp?, until: Timestamp?) async throws {
        var url = (server.hasSuffix("/") ? String(server.dropLast()) : server) + "/v1/export?format=" + format.rawValue
        if let since { url += "&since=" + RemoteClient.encode(since.rfc3339) }
        if let until { url += "&until=" + RemoteClient.encode(until.rfc3339) }
        var headers: LocktrailHTTP.HTTPHeaders = [:]
        if let token = remote.resolvedToken {
            headers.add(name: "Authorization", value: "Bearer " + token)
        }
        let stdout = FileHandle.standardOutput
        let response = try await CurlHTTPClient().stream(HTTPRequest(method: "GET", url: url, headers: headers, timeout: .seconds(86_400))) { chunk in
            stdout.write(Data(chunk))
        }
        guard (200..<300).contains(response.status) else {
            let message = (try? JSONParser.parse(response.body))?["error"]?.stringValue ?? "the server answered \(response.status)"
            throw RemoteError(message: message)
        }
    }
}

/// Buffered standard output: one write per page instead of one per line.
struct StandardOutput {
    private var buffer: [UInt8] = []

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
