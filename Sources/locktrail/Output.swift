import ArgumentParser
import Foundation
import LocktrailCore

/// How a query prints its answer.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv

    /// `table` on a terminal, `json` when piped.
    static func resolve(_ chosen: OutputFormat?) -> OutputFormat {
        chosen ?? (Terminal.stdoutIsTerminal ? .table : .json)
    }
}

/// Rows with named columns, printed as an aligned table, CSV, or a JSON array of objects.
struct Rows {
    var columns: [String]
    var rows: [[String?]] = []
    /// The JSON form of each row (richer than the table's strings).
    var objects: [JSONValue] = []

    func print(as format: OutputFormat) {
        switch format {
        case .table:
            if rows.isEmpty { Swift.print("(none)"); return }
            let cells = rows.map { $0.map { $0 ?? "-" } }
            var widths = columns.map(\.count)
            for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
            func line(_ values: [String]) -> String {
                values.enumerated().map { i, v in i == values.count - 1 ? v : v.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                    .joined(separator: "  ")
            }
            Swift.print(line(columns.map { $0.uppercased() }))
            for row in cells { Swift.print(line(row)) }
        case .csv:
            Swift.print(columns.map(CSV.field).joined(separator: ","))
            for row in rows { Swift.print(row.map { CSV.field($0 ?? "") }.joined(separator: ",")) }
        case .json:
            Swift.print(JSONOutput.array(objects))
        }
    }
}

/// RFC 4180 fields.
enum CSV {
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// JSON for people and programs: an array with one compact object per line.
enum JSONOutput {
    static func array(_ values: [JSONValue]) -> String {
        if values.isEmpty { return "[]" }
        return "[\n" + values.map { "  " + CanonicalJSON.string($0) }.joined(separator: ",\n") + "\n]"
    }
}
