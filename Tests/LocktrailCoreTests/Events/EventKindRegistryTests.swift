import Foundation
import LocktrailCore
import Testing

@Suite("The kind registry and docs/events.md")
struct EventKindRegistryTests {
    /// docs/events.md, found from this file's place in the repository.
    static let document: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/events.md"), encoding: .utf8)) ?? ""
    }()

    @Test("every registered kind is documented, and every documented kind is registered")
    func documentMatchesRegistry() throws {
        #expect(!Self.document.isEmpty, "docs/events.md not found")
        let registered = Set(EventKind.registry.map(\.rawValue))
        #expect(registered.count == EventKind.registry.count, "a kind is registered twice")
        let pattern = try NSRegularExpression(pattern: "`((?:lock|state|source|observation|run)\\.[a-z_]+)`")
        let text = Self.document
        let documented = Set(
            pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
                Range($0.range(at: 1), in: text).map { String(text[$0]) }
            })
        #expect(registered.subtracting(documented).isEmpty, "undocumented kinds: \(registered.subtracting(documented).sorted())")
        #expect(documented.subtracting(registered).isEmpty, "documented but unregistered: \(documented.subtracting(registered).sorted())")
    }

    @Test("the kinds that concern every state are registered kinds")
    func globalKindsAreRegistered() {
        #expect(Set(HoldDerivation.globalKinds).isSubset(of: Set(EventKind.registry)))
    }

    /// Every details type locktrail writes events with.
    static let detailTypes: [any EventDetails.Type] = [
        LockChangeDetails.self, StateWriteDetails.self, DigestRemovedDetails.self, UnparsedDetails.self, CoverageGapDetails.self,
        TableMissingDetails.self, TableRestoredDetails.self, UnlockAttemptDetails.self, HookReportDetails.self, MaintenanceDetails.self,
    ]

    /// The names docs/events.md shows in backticks.
    static var documentedNames: Set<String> {
        let text = document
        let pattern = try! NSRegularExpression(pattern: "`([a-z0-9_.:-]+)`")
        return Set(
            pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
                Range($0.range(at: 1), in: text).map { String(text[$0]) }
            })
    }

    @Test("every registered kind has typed details, and every details type names registered kinds")
    func everyKindHasDetails() {
        let covered = Set(Self.detailTypes.flatMap { $0.kinds })
        #expect(covered == Set(EventKind.registry), "kinds without details: \(Set(EventKind.registry).subtracting(covered).map(\.rawValue).sorted())")
    }

    @Test("every member of every details type is documented")
    func membersDocumented() {
        let documented = Self.documentedNames
        for type in Self.detailTypes {
            let missing = Set(type.memberNames).subtracting(documented)
            #expect(missing.isEmpty, "\(type) members missing from docs/events.md: \(missing.sorted())")
        }
    }

    @Test("every mechanism is documented")
    func mechanismsDocumented() {
        let missing = Set(Mechanism.registry.map(\.rawValue)).subtracting(Self.documentedNames)
        #expect(missing.isEmpty, "mechanisms missing from docs/events.md: \(missing.sorted())")
    }

    @Test("the details of every fixture event use only their type's members", arguments: EventFixtureCases.all().map(\.name))
    func fixtureMembers(_ name: String) throws {
        let event = try #require(EventFixtureCases.all().first { $0.name == name }?.event)
        guard event.source != "hook" else { return }  // a hook's details are what its client sent
        let types = Self.detailTypes.filter { $0.kinds.contains(event.kind) && ObjectIdentifier($0) != ObjectIdentifier(HookReportDetails.self) }
        let allowed = Set(types.flatMap { $0.memberNames })
        let used = Set(event.details.objectValue?.keys.map { $0 } ?? [])
        #expect(used.subtracting(allowed).isEmpty, "\(name): \(used.subtracting(allowed).sorted())")
    }
}
