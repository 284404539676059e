import Foundation
import Hummingbird
import LocktrailCore
import LocktrailStore

/// The query string of a request, read with errors that name the parameter.
struct QueryParameters {
    let values: [String: String]
    let now: Timestamp

    init(_ request: Request, now: Timestamp) {
        var values: [String: String] = [:]
        for (name, value) in request.uri.queryParameters where values[String(name)] == nil {
            values[String(name)] = String(value)
        }
        self.values = values
        self.now = now
    }

    /// A text parameter; empty counts as absent. Bounded so a huge value is a 400, not work.
    func string(_ name: String) throws -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        guard value.utf8.count <= 1024 else { throw QueryError(field: name, "\(name) is longer than 1024 bytes.") }
        guard !value.unicodeScalars.contains(where: { $0.value == 0 }) else { throw QueryError(field: name, "\(name) contains a NUL character.") }
        return value
    }

    func required(_ name: String) throws -> String {
        guard let value = try string(name) else { throw QueryError(field: name, "\(name) is required.") }
        return value
    }

    /// A time: RFC 3339 or relative to the server's clock (`2h`, `yesterday`), in years 1–9999.
    func time(_ name: String) throws -> Timestamp? {
        guard let text = try string(name) else { return nil }
        return try Self.resolve(text, field: name, now: now)
    }

    /// Resolves a time expression, with an error that names `field`.
    static func resolve(_ text: String, field name: String, now: Timestamp) throws -> Timestamp {
        do {
            return try TimeExpression.resolve(text, now: now)
        } catch {
            throw QueryError(field: name, "\(name) '\(text)' \(error.reason).")
        }
    }

    /// The page size: 1…`Answers.maxLimit`, default 100.
    func limit() throws -> Int {
        if let raw = values["limit"], raw.isEmpty {
            throw QueryError(field: "limit", "limit must be an integer from 1 to \(Answers.maxLimit).")
        }
        guard let text = try string("limit") else { return 100 }
        guard let n = Int(text), n >= 1, n <= Answers.maxLimit else {
            throw QueryError(field: "limit", "limit must be an integer from 1 to \(Answers.maxLimit).")
        }
        return n
    }

    func bool(_ name: String) throws -> Bool {
        switch try string(name)?.lowercased() {
        case nil, "false", "0", "no": return false
        case "true", "1", "yes": return true
        default: throw QueryError(field: name, "\(name) must be true or false.")
        }
    }

    func integer(_ name: String, default value: Int64, range: ClosedRange<Int64>) throws -> Int64 {
        // Present but empty is not "absent" for a number: `cursor=` is a malformed request.
        if let raw = values[name], raw.isEmpty {
            throw QueryError(field: name, "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound).")
        }
        guard let text = try string(name) else { return value }
        guard let n = Int64(text), range.contains(n) else {
            throw QueryError(field: name, "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound).")
        }
        return n
    }
}
