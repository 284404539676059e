import LocktrailCore
import Testing

@Suite("State heads from a ranged read")
struct StateHeadTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var key = "app/terraform.tfstate"
        var expected: StateHead
        var testDescription: String { name }
    }

    static let lineage = "3f1c2a8e-1111-2222-3333-444455556666"
    static let cases: [Case] = [
        Case(
            name: "terraform state, whole",
            text: #"{"version": 4, "terraform_version": "1.11.4", "serial": 12, "lineage": "\#(lineage)", "outputs": {}}"#,
            expected: .state(formatVersion: 4, terraformVersion: "1.11.4", serial: 12, lineage: lineage)),
        Case(
            name: "pretty-printed and cut mid-resources",
            text:
                "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.4\",\n  \"serial\": 3,\n  \"lineage\": \"\(lineage)\",\n  \"resources\": [ {\"na",
            expected: .state(formatVersion: 4, terraformVersion: "1.11.4", serial: 3, lineage: lineage)),
        Case(
            name: "cut inside the lineage: the cut field is unknown",
            text: "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.4\",\n  \"serial\": 3,\n  \"lineage\": \"3f1c",
            expected: .state(formatVersion: 4, terraformVersion: "1.11.4", serial: 3, lineage: nil)),
        Case(
            name: "cut inside the serial", text: "{\n  \"version\": 4,\n  \"terraform_version\": \"1.11.4\",\n  \"serial\": 3",
            expected: .state(formatVersion: 4, terraformVersion: "1.11.4", serial: nil, lineage: nil)),
        Case(
            name: "OpenTofu encrypted envelope",
            text: #"{"serial_placeholder":0,"meta":{"key_provider.pbkdf2.k":"e30="},"encrypted_data":"AAAA","encryption_version":"v0"}"#,
            expected: .encrypted),
        Case(name: "binary under a state key", text: "\u{1}\u{2}binary", expected: .encrypted),
        Case(name: "binary elsewhere", text: "\u{1}\u{2}binary", key: "plan.bin", expected: .other),
        Case(name: "some other JSON", text: #"{"name": "x"}"#, key: "config.json", expected: .other),
        Case(name: "empty", text: "", expected: .other),
    ]

    @Test("heads", arguments: cases)
    func heads(_ c: Case) {
        #expect(StateHead.read(Array(c.text.utf8), key: c.key) == c.expected)
    }
}
