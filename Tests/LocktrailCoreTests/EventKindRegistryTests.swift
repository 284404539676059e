import Foundation
import LocktrailCore
import Testing

@Suite("The kind registry and docs/events.md")
struct EventKindRegistryTests {
    /// docs/events.md, found from this file's place in the repository.
    static let document: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/events.md"), encoding: .utf8)) ?? ""
    }()

    @Test("every registered kind is documented, and every documented kind is registered")
    func documentMatchesRegistry() throws {
        #expect(!Self.document.isEmpty, "docs/events.md not found")
        let registered = Set(EventKind.registry.map(\.rawValue))
        #expect(registered.count == EventKind.registry.count, "a kind is registered twice")
        let pattern = try NSRegularExpression(pattern: "`((?:lock|state|source|observation|run)\\.[a-z_]+)`")
        let text = Self.document
        let documented = Set(pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        })
        #expect(registered.subtracting(documented).isEmpty, "undocumented kinds: \(registered.subtracting(documented).sorted())")
        #expect(documented.subtracting(registered).isEmpty, "documented but unregistered: \(documented.subtracting(registered).sorted())")
    }

    @Test("the kinds that concern every state are registered kinds")
    func globalKindsAreRegistered() {
        #expect(Set(HoldDerivation.globalKinds).isSubset(of: Set(EventKind.registry)))
    }
}
