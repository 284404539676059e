import Hummingbird
import LocktrailStore
import Logging

/// Turns every error into the API's JSON error shape: a bad question is a 400 naming the
/// parameter, Hummingbird's own errors keep their status, a database that cannot be reached is a
/// 503 (clients retry; the wrapper keeps its events spooled), and anything else is a 500; the
/// details of both go to the log, never to the client.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as QueryError {
            throw APIError(.badRequest, error.description, field: error.field)
        } catch let error as HTTPError {
            throw APIError(error.status, error.body ?? error.status.reasonPhrase)
        } catch let error where Store.isUnavailable(error) {
            context.logger.warning("request failed: the database cannot be reached", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, "the database cannot be reached; try again shortly")
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(.internalServerError, "internal error; the server log has the details")
        }
    }
}
