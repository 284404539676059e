import Foundation
import LocktrailCore
import Testing

@Suite("Lock records (terraform-locks.md §2)")
struct LockRecordTests {
    static let terraformRecord =
        #"{"ID":"f9763602-b03f-e35c-da30-4083cdbb99ae","Operation":"OperationTypeApply","Info":"","Who":"alice@build-01","Version":"1.11.4","Created":"2025-03-04T05:06:07.123456789Z","Path":"my-bucket/app/terraform.tfstate"}"#

    @Test("a record exactly as Terraform writes it")
    func terraformRecord() throws {
        let record = try #require(LockRecordParse.parse(Array(Self.terraformRecord.utf8)).record)
        #expect(record.id == "f9763602-b03f-e35c-da30-4083cdbb99ae")
        #expect(record.operation == "OperationTypeApply")
        #expect(record.info == "")
        #expect(record.who == "alice@build-01")
        #expect(record.user == "alice")
        #expect(record.host == "build-01")
        #expect(record.version == "1.11.4")
        #expect(record.createdText == "2025-03-04T05:06:07.123456789Z")
        #expect(record.created?.rfc3339 == "2025-03-04T05:06:07.123456Z")
        #expect(record.path == "my-bucket/app/terraform.tfstate")
        #expect(record.problems.isEmpty)
        #expect(record.unknownFields.isEmpty)
    }

    static let operations = [
        "OperationTypeApply", "OperationTypePlan", "OperationTypeRefresh", "OperationTypeInvalid", "init",
        "state-mv", "state-push", "state-rm", "state-replace-provider", "taint", "untaint", "workspace-new",
        "migration source state", "migration destination state", "", "some-future-operation",
    ]

    @Test("every Operation value is kept as an open string", arguments: operations)
    func operation(_ operation: String) throws {
        let json = record(replacing: "\"OperationTypeApply\"", with: "\"\(operation)\"")
        let parsed = try #require(LockRecordParse.parse(Array(json.utf8)).record)
        #expect(parsed.operation == operation)
        #expect(parsed.problems.isEmpty)
    }

    @Test(
        "Created with 0 to 9 fractional digits",
        arguments: [
            ("2025-03-04T05:06:07Z", "2025-03-04T05:06:07.000000Z"),
            ("2025-03-04T05:06:07.1Z", "2025-03-04T05:06:07.100000Z"),
            ("2025-03-04T05:06:07.12Z", "2025-03-04T05:06:07.120000Z"),
            ("2025-03-04T05:06:07.123Z", "2025-03-04T05:06:07.123000Z"),
            ("2025-03-04T05:06:07.1234Z", "2025-03-04T05:06:07.123400Z"),
            ("2025-03-04T05:06:07.12345Z", "2025-03-04T05:06:07.123450Z"),
            ("2025-03-04T05:06:07.123456Z", "2025-03-04T05:06:07.123456Z"),
            ("2025-03-04T05:06:07.1234567Z", "2025-03-04T05:06:07.123456Z"),
            ("2025-03-04T05:06:07.12345678Z", "2025-03-04T05:06:07.123456Z"),
            ("2025-03-04T05:06:07.123456789Z", "2025-03-04T05:06:07.123456Z"),
            ("2025-03-04T07:06:07.5+02:00", "2025-03-04T05:06:07.500000Z"),
        ])
    func created(_ text: String, _ expected: String) throws {
        let parsed = try #require(LockRecordParse.parse(Array(record(replacing: "2025-03-04T05:06:07.123456789Z", with: text).utf8)).record)
        #expect(parsed.createdText == text)
        #expect(parsed.created?.rfc3339 == expected)
        #expect(parsed.problems.isEmpty)
    }

    @Test("a Created that is not RFC 3339 is kept as text, with the problem named")
    func badCreated() throws {
        let parsed = try #require(LockRecordParse.parse(Array(record(replacing: "2025-03-04T05:06:07.123456789Z", with: "yesterday").utf8)).record)
        #expect(parsed.createdText == "yesterday")
        #expect(parsed.created == nil)
        #expect(parsed.problems == ["Created is not an RFC 3339 time"])
    }

    @Test(
        "a Created outside years 1–9999 (UTC) is kept as text only, with the problem named",
        arguments: ["0000-03-04T05:06:07Z", "9999-12-31T23:30:00-01:00"])
    func createdOutsideTheYears(_ text: String) throws {
        let parsed = try #require(LockRecordParse.parse(Array(record(replacing: "2025-03-04T05:06:07.123456789Z", with: text).utf8)).record)
        #expect(parsed.createdText == text)
        #expect(parsed.created == nil)
        #expect(parsed.problems == ["Created is outside the years 0001 to 9999 (UTC)"])
    }

    @Test("Who without a user: @host")
    func whoWithoutUser() throws {
        let parsed = try #require(LockRecordParse.parse(Array(record(replacing: "alice@build-01", with: "@runner-xyz").utf8)).record)
        #expect(parsed.who == "@runner-xyz")
        #expect(parsed.user == nil)
        #expect(parsed.host == "runner-xyz")
        #expect(parsed.problems.isEmpty)
    }

    @Test("unknown members are kept, missing members are named")
    func unknownAndMissing() throws {
        let json = #"{"ID":"f9763602-b03f-e35c-da30-4083cdbb99ae","Who":"bob@h","Extra":{"a":[1,2]},"Tool":"tofu"}"#
        let parsed = try #require(LockRecordParse.parse(Array(json.utf8)).record)
        #expect(parsed.unknownFields["Tool"] == "tofu")
        #expect(parsed.unknownFields["Extra"] == ["a": [1, 2]])
        #expect(
            parsed.problems.sorted() == ["Created is missing", "Info is missing", "Operation is missing", "Path is missing", "Version is missing"])
        #expect(parsed.json["Tool"] == "tofu")
    }

    @Test("an ID without UUIDv4 version bits is valid; another shape is accepted with a problem")
    func idShapes() throws {
        // Terraform's IDs come from a non-crypto source: no version nibble.
        let noVersionBits = try #require(
            LockRecordParse.parse(Array(record(replacing: "f9763602-b03f-e35c-da30-4083cdbb99ae", with: "00000000-0000-0000-0000-000000000000").utf8))
                .record)
        #expect(noVersionBits.problems.isEmpty)
        let odd = try #require(LockRecordParse.parse(Array(record(replacing: "f9763602-b03f-e35c-da30-4083cdbb99ae", with: "lock-1").utf8)).record)
        #expect(odd.id == "lock-1")
        #expect(odd.problems == ["ID is not 8-4-4-4-12 lowercase hex"])
    }

    @Test("members of the wrong type are kept raw, with the problem named")
    func wrongTypes() throws {
        let json =
            #"{"ID":"f9763602-b03f-e35c-da30-4083cdbb99ae","Operation":7,"Info":"","Who":"a@b","Version":"1.11.4","Created":"2025-03-04T05:06:07Z","Path":"b/k"}"#
        let parsed = try #require(LockRecordParse.parse(Array(json.utf8)).record)
        #expect(parsed.operation == nil)
        #expect(parsed.unknownFields["Operation"] == 7)
        #expect(parsed.problems == ["Operation is not a string"])
    }

    static let unparseable: [(String, [UInt8], String)] = [
        ("truncated JSON", Array(String(LockRecordTests.terraformRecord.prefix(60)).utf8), "not JSON"),
        ("not JSON", Array("this is not a lock".utf8), "not JSON"),
        ("empty", [], "record is empty"),
        ("a JSON array", Array("[1,2]".utf8), "not a JSON object"),
        ("no ID", Array(#"{"Who":"a@b"}"#.utf8), "no ID member"),
        ("ID not a string", Array(#"{"ID":12}"#.utf8), "ID is not a non-empty string"),
        ("invalid UTF-8", Array(#"{"ID":"a","Who":""#.utf8) + [0xff, 0xfe] + Array(#""}"#.utf8), "not JSON: invalid UTF-8"),
        ("huge", Array(("{\"ID\":\"x\",\"Info\":\"" + String(repeating: "a", count: 200_000) + "\"}").utf8), "over the"),
        ("duplicate keys", Array(#"{"ID":"a","ID":"b"}"#.utf8), "duplicate key"),
        ("trailing garbage", Array((LockRecordTests.terraformRecord + "x").utf8), "unexpected data"),
    ]

    @Test("bytes that are not a lock record fail with a reason", arguments: unparseable)
    func unparseableRecords(_ name: String, _ bytes: [UInt8], _ reason: String) {
        let parsed = LockRecordParse.parse(bytes)
        #expect(parsed.record == nil, "\(name)")
        #expect(parsed.failure?.contains(reason) == true, "\(name): \(parsed.failure ?? "nil")")
    }

    @Test("a raw observation keeps text as text and anything else as base64")
    func rawObservation() {
        #expect(RawObservation.json(Array("hello".utf8)) == ["text": "hello"])
        #expect(RawObservation.json([0xff, 0x00]) == ["base64": "/wA="])
        let cut = RawObservation.json(Array(repeating: 0x61, count: 10), limit: 4)
        #expect(cut["text"] == "aaaa")
        #expect(cut["truncated"] == true)
        #expect(cut["size"] == 10)
    }

    private func record(replacing old: String, with new: String) -> String {
        Self.terraformRecord.replacingOccurrences(of: old, with: new)
    }
}
