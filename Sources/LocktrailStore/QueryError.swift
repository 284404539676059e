/// A question that cannot be answered as asked: a bad parameter or an unknown state. The CLI
/// prints it and exits 2; the API answers 400 with `{"error": description, "field": field}`.
public struct QueryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The parameter at fault (`state`, `at`, `since`, `cursor`, …), if one is.
    public var field: String?
    /// What is wrong and how to fix it, in one sentence.
    public var message: String
    /// For an unknown state: close matches.
    public var suggestions: [String]

    /// An error about `field`.
    public init(field: String?, _ message: String, suggestions: [String] = []) {
        self.field = field
        self.message = message
        self.suggestions = suggestions
    }

    public var description: String {
        guard !suggestions.isEmpty else { return message }
        return message + " Did you mean " + suggestions.map { "'\($0)'" }.joined(separator: ", ") + "?"
    }
}
