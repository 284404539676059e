import LocktrailCore
import Testing

@Suite("Hook events")
struct HookEventTests {
    static func payload(time: String, details: JSONValue = ["who": "alice@h"]) -> JSONValue {
        ["id": "e1", "kind": "run.started", "time": .string(time), "run_id": "run-1", "details": details]
    }

    @Test(
        "a time outside years 1–9999 (UTC) is refused, naming the field",
        arguments: [
            "0000-06-01T00:00:00Z", "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00",
        ])
    func outsideTheYears(_ time: String) {
        do {
            _ = try HookEvent(json: Self.payload(time: time), path: "events[3]")
            Issue.record("\(time) was accepted")
        } catch {
            #expect(error.field == "events[3].time")
            #expect(error.reason.contains("0001 to 9999"))
        }
    }

    @Test(
        "the stored event names the ingest token that submitted it, over any name the client sent",
        arguments: [["who": "alice@h"], ["who": "alice@h", "ingest_token": "someone-else"], ["ingest_token": 7]] as [JSONValue])
    func provenance(_ details: JSONValue) throws {
        let hook = try HookEvent(json: Self.payload(time: "2026-11-22T10:00:00Z", details: details))
        let event = hook.event(receivedAt: Timestamp(microsecondsSinceEpoch: 0), ingestToken: "ci-runner")
        #expect(event.details["ingest_token"] == "ci-runner")
        #expect(event.raw?["details"] == details)  // what the client sent stays in the raw observation
    }
}
