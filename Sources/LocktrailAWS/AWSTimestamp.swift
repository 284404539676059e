import Foundation
import LocktrailCore

/// The timestamp spellings AWS uses, through LocktrailCore's one civil-date conversion (`Timestamp`).
enum AWSTimestamp {
    /// The instant of `date`, truncated to microseconds.
    static func timestamp(_ date: Date) -> Timestamp { Timestamp(secondsSinceEpoch: date.timeIntervalSince1970) }

    /// `20150830T123600Z`, the X-Amz-Date form.
    static func amzDate(_ date: Date) -> String { timestamp(date).basicISO8601 }

    /// `2015-08-30T12:36:00Z`.
    static func iso8601(_ date: Date) -> String { timestamp(date).rfc3339Seconds }

    /// Parses RFC 3339 / ISO 8601 as AWS credential endpoints send it (`Z` or offset, optional fraction).
    static func parse(_ text: String) -> Date? {
        Timestamp(parsing: text.trimmingCharacters(in: .whitespaces)).map { Date(timeIntervalSince1970: $0.secondsSinceEpoch) }
    }
}
