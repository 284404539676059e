import Hummingbird
import LocktrailStore
import Logging

/// Turns every error into the API's JSON error shape: a bad question is a 400 naming the
/// parameter, Hummingbird's own errors keep their status, and anything else is a 500 whose
/// details go to the log, never to the client.
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
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(.internalServerError, "internal error; the server log has the details")
        }
    }
}
