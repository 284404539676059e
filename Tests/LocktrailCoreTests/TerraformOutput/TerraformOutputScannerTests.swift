import Foundation
import LocktrailCore
import Testing

/// Output captured from terraform 1.11.4 against the emulator (Fixtures/, colours and box kept).
@Suite("Recognising terraform's output (terraform-locks.md §5–6)")
struct TerraformOutputScannerTests {
    static let holder = "0716df6d-9fd1-92f0-0ac3-d92228d9ff22"

    static func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    }

    static func scan(_ fixture: String) throws -> [TerraformSignal] {
        var scanner = TerraformOutputScanner()
        for line in try String(contentsOf: Self.fixture(fixture), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
            scanner.feed(line: String(line))
        }
        scanner.finish()
        return scanner.signals
    }

    @Test("the contention block, in the human view and with -json", arguments: ["contention-human.txt", "contention-json.txt"])
    func contention(_ fixture: String) throws {
        let signals = try Self.scan(fixture)
        #expect(signals.count == 1)
        guard case .contended(let holder, let error)? = signals.first else { Issue.record("\(signals)"); return }
        #expect(holder.id == Self.holder)
        #expect(holder.path == "demo-state/network/terraform.tfstate")
        #expect(holder.operation == "OperationTypeApply")
        #expect(holder.who == "root@vm")
        #expect(holder.version == "1.11.4")
        #expect(holder.createdText == "2026-11-22 23:04:15.284055284 +0000 UTC")
        #expect(holder.created == Timestamp(parsing: "2026-11-22T23:04:15.284055Z"))
        #expect(holder.info == "")
        #expect(error?.contains("ConditionalCheckFailedException") == true)
    }

    @Test("force-unlock success")
    func forceUnlock() throws {
        #expect(try Self.scan("force-unlock-human.txt") == [.forceUnlocked])
    }

    @Test("a failed release names the lock whose info vanished")
    func releaseFailed() throws {
        let signals = try Self.scan("release-failed-human.txt")
        guard case .releaseFailed(let message, let lockID)? = signals.first, signals.count == 1 else { Issue.record("\(signals)"); return }
        #expect(lockID == Self.holder)
        #expect(message?.contains("failed to retrieve lock info") == true)
    }

    @Test("OpenTofu's wording and plain, unboxed text")
    func plain() {
        var scanner = TerraformOutputScanner()
        for line in [
            "Error acquiring the state lock", "", "Error message: ConditionalCheckFailedException", "Lock Info:",
            "  ID:        abc", "  Path:      b/k", "  Operation: OperationTypePlan", "  Who:       @runner",
            "  Version:   1.10.0", "  Created:   2025-03-04 05:06:07 +0000 UTC", "  Info:      ", "",
            "OpenTofu state has been successfully unlocked!",
            "Error releasing the state lock", "Error message: lock ID \"abc\" does not match existing lock ID \"def\"", "",
        ] { scanner.feed(line: line) }
        scanner.finish()
        #expect(scanner.signals.count == 3)
        if case .contended(let holder, _) = scanner.signals[0] {
            #expect(holder.who == "@runner")
            #expect(holder.created == Timestamp(parsing: "2025-03-04T05:06:07Z"))
        } else {
            Issue.record("no contention")
        }
        #expect(scanner.signals[1] == .forceUnlocked)
        #expect(scanner.signals[2] == .releaseFailed(message: "lock ID \"abc\" does not match existing lock ID \"def\"", lockID: "abc"))
    }

    @Test(
        "terragrunt's line prefixes: its log format (also under run --all) and module paths",
        arguments: [
            "14:20:38.451 STDERR tofu: ", "14:20:38.451 STDERR [network] terraform: ", "STDERR tofu: ",
            "[/work/live/prod/network] ",
        ])
    func terragrunt(_ prefix: String) throws {
        let human = try String(contentsOf: Self.fixture("contention-human.txt"), encoding: .utf8)
        var scanner = TerraformOutputScanner()
        for line in human.split(separator: "\n", omittingEmptySubsequences: false) { scanner.feed(line: prefix + line) }
        scanner.feed(line: prefix + "OpenTofu state has been successfully unlocked!")
        scanner.finish()
        guard case .contended(let holder, _)? = scanner.signals.first else { Issue.record("\(scanner.signals)"); return }
        #expect(holder.id == Self.holder)
        #expect(holder.operation == "OperationTypeApply")
        #expect(scanner.signals.last == .forceUnlocked)
    }

    @Test("ordinary output signals nothing")
    func nothing() {
        var scanner = TerraformOutputScanner()
        for line in [
            "Acquiring state lock. This may take a few moments...", "Apply complete! Resources: 1 added.",
            "Releasing state lock. This may take a few moments...", "{\"type\":\"state_lock_acquire\"}",
        ] {
            scanner.feed(line: line)
        }
        scanner.finish()
        #expect(scanner.signals.isEmpty)
    }
}
