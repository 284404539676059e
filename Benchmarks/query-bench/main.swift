import Foundation
import LocktrailCore
import LocktrailPostgres
import LocktrailStore

// Usage: locktrail-query-bench CONNINFO HOLDS STATES
// Appends a synthetic history through the real event log (hash chain, COPY): per state, holds one
// after another, each an exact acquire (Created) and a release known within a 30 s scan interval,
// as the DynamoDB collector records them. Prints the states and the time span for the load tools.

let arguments = CommandLine.arguments
guard arguments.count == 4, let holds = Int(arguments[2]), let states = Int(arguments[3]), holds > 0, states > 0 else {
    FileHandle.standardError.write(Data("usage: locktrail-query-bench CONNINFO HOLDS STATES\n".utf8))
    exit(2)
}
let pool = PostgresPool(conninfo: arguments[1], maxConnections: 1)
let start = Timestamp(parsing: "2024-01-01T00:00:00Z")!
let perState = holds / states
var generator = SystemRandomNumberGenerator()
let began = Date()
var batch: [Event] = []
var appended = 0

@MainActor func flush() async throws {
    guard !batch.isEmpty else { return }
    let events = batch
    batch.removeAll(keepingCapacity: true)
    appended += try await EventLog.append(events, pool: pool).appended
}

for s in 0..<states {
    let state = "bench-bucket/team\(s % 100)/svc\(s)/terraform.tfstate"
    var t = start.adding(seconds: Double(UInt64.random(in: 0..<3600, using: &generator)))
    for h in 0..<perState {
        let id = String(format: "%08x-%04x-%04x-%04x-%012x", s, h, 0xbe, 0xac, s * perState + h)
        let who = "user\(UInt64.random(in: 0..<500, using: &generator))@host"
        let held = Double(UInt64.random(in: 30..<600, using: &generator))
        let released = t.adding(seconds: held)
        let scan = released.adding(seconds: Double(UInt64.random(in: 1..<30, using: &generator)))
        let details: JSONValue = [
            "who": .string(who), "operation": "OperationTypeApply", "version": "1.11.4",
            "created": .string(t.rfc3339), "path": .string(state), "time_basis": "created",
        ]
        batch.append(
            Event(
                key: "bench|a|\(id)", kind: .lockAcquired, source: "dynamodb:us-east-1/bench", mechanism: .dynamodb,
                time: .exact(t), observedAt: t.adding(seconds: 15), lockID: id, state: state, workspace: "default", details: details))
        batch.append(
            Event(
                key: "bench|r|\(id)", kind: .lockReleased, source: "dynamodb:us-east-1/bench", mechanism: .dynamodb,
                time: .between(after: scan.adding(seconds: -30), notAfter: scan), observedAt: scan, lockID: id, state: state,
                workspace: "default", details: details))
        t = scan.adding(seconds: Double(UInt64.random(in: 60..<7200, using: &generator)))
        if batch.count >= 20_000 { try await flush() }
    }
}
try await flush()
let seconds = Date().timeIntervalSince(began)
print("appended \(appended) events (\(perState * states) holds over \(states) states) in \(Int(seconds)) s")
