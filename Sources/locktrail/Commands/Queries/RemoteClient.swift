import Foundation
import LocktrailAWS
import LocktrailCore
import LocktrailHTTP
import LocktrailStore

/// Asks a locktrail server (`--server`) the same questions, over the project's libcurl transport.
struct RemoteClient {
    var base: String
    var token: String?
    let transport = CurlHTTPClient()

    /// GETs `path` with `parameters` and returns the JSON body; 4xx answers become errors that say why.
    func get(path: String, parameters: [(String, String?)]) async throws -> JSONValue {
        var url = base.hasSuffix("/") ? String(base.dropLast()) : base
        url += path
        let query = parameters.compactMap { name, value in value.map { name + "=" + Self.encode($0) } }
        if !query.isEmpty { url += "?" + query.joined(separator: "&") }
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if let token { headers.add(name: "Authorization", value: "Bearer " + token) }
        let response = try await transport.send(HTTPRequest(method: "GET", url: url, headers: headers))
        let body = try? JSONParser.parse(response.body, maxDepth: 128)
        switch response.status {
        case 200: return body ?? .null
        case 400, 404:
            throw QueryError(
                field: body?["field"]?.stringValue, body?["error"]?.stringValue ?? "the server rejected the request (\(response.status))")
        case 401:
            throw RemoteError(
                message: "the server wants a valid token: set LOCKTRAIL_TOKEN or pass --token (\(body?["error"]?.stringValue ?? "401"))")
        case 403: throw RemoteError(message: "the token lacks the scope this needs: \(body?["error"]?.stringValue ?? "403")")
        default:
            throw RemoteError(
                message: "the server answered \(response.status): \(body?["error"]?.stringValue ?? response.bodyText.prefix(200).description)")
        }
    }

    /// One page of a list answer.
    func page(path: String, parameters: [(String, String?)]) async throws -> AnswerPage {
        let body = try await get(path: path, parameters: parameters)
        guard case .array(let items)? = body["items"] else { throw RemoteError(message: "the server's answer has no items list") }
        return AnswerPage(items: items, nextCursor: body["next_cursor"]?.stringValue)
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

/// A server that could not answer, in one sentence.
struct RemoteError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
