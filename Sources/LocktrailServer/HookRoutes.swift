import Foundation
import Hummingbird
import LocktrailCore
import LocktrailStore

/// `POST /v1/hooks/events`: hook events from `locktrail wrap`, `locktrail hook emit` and CI
/// scripts, with an ingest-scoped token. Each event carries a client-generated id, so a retried
/// or replayed batch is recorded once.
struct HookRoutes {
    /// A batch larger than this is refused with 413.
    static let maximumBodyBytes = 1 << 20
    /// At most this many events per request.
    static let maximumEvents = 1000

    let events: EventLogStore

    func register(on group: RouterGroup<APIRequestContext>) {
        group.post("events") { request, context in try await self.ingest(request, token: context.token) }
    }

    private func ingest(_ request: Request, token: TokenInfo?) async throws -> Response {
        // TokenMiddleware runs first on this group; without a token nothing may be recorded.
        guard let token else { throw APIError(.unauthorized, "a bearer token is required: send Authorization: Bearer <token>") }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maximumBodyBytes)
        } catch {
            throw APIError(.contentTooLarge, "the body is larger than \(Self.maximumBodyBytes) bytes: send fewer events per request")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            throw APIError(.badRequest, "the body is not JSON: \(error)", field: "body")
        }
        guard case .array(let items)? = root["events"] else {
            throw APIError(.badRequest, "the body must be {\"events\": [...]}", field: "events")
        }
        guard !items.isEmpty else { throw APIError(.badRequest, "events is empty", field: "events") }
        guard items.count <= Self.maximumEvents else {
            throw APIError(.badRequest, "at most \(Self.maximumEvents) events per request", field: "events")
        }
        let received = Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970)
        var events: [Event] = []
        for (index, item) in items.enumerated() {
            do {
                events.append(try HookEvent(json: item, path: "events[\(index)]").event(receivedAt: received, ingestToken: token.name))
            } catch {
                throw APIError(.badRequest, error.description, field: error.field)
            }
        }
        let outcome = try await self.events.append(events)
        return JSONBody.response(["accepted": .int(Int64(outcome.appended)), "duplicates": .int(Int64(outcome.duplicates))])
    }
}
