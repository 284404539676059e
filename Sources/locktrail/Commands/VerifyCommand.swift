import ArgumentParser
import Foundation
import LocktrailCore
import LocktrailCrypto
import LocktrailStore

/// `locktrail verify`: recomputes the hash chain and reports the first break.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove the event log was not altered: recompute the hash chain.",
        discussion: """
            Prints "intact, N events" and the head hash, or the first event where the chain
            breaks and how (altered, missing, inserted, reordered, truncated); exits 1 when broken.
            Record the head hash somewhere outside the database and pass it back with
            --expect-head, or sign checkpoints (`locktrail checkpoint create`) and pass them with
            --checkpoints DIR --public-key FILE: that also proves nothing was rewritten wholesale
            (each checkpoint's signature, their chain, and the log's hash at each checkpoint's
            seq are checked), and says which part of the log is newer than the last checkpoint.
            Exit codes: 0 intact, 1 broken (chain, anchor or a checkpoint), 64 usage error.
            """)

    @OptionGroup var db: DatabaseOptions

    @Option(
        name: .long,
        help: ArgumentHelp("A head hash recorded earlier, as SEQ:HEX; verify fails unless that event still has that hash.", valueName: "seq:hex"))
    var expectHead: String?

    @Option(
        name: .long, help: ArgumentHelp("Signed checkpoints to check the log against: a directory or s3://BUCKET/PREFIX.", valueName: "dir|s3://…"))
    var checkpoints: String?

    @Option(name: .customLong("public-key"), help: ArgumentHelp("A checkpoint public key (PEM); repeat for rotated keys.", valueName: "file"))
    var publicKeys: [String] = []

    @Option(name: .long, help: "Output format: text or json.")
    var format: String = "text"

    func validate() throws {
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
        guard (checkpoints == nil) == publicKeys.isEmpty else {
            throw ValidationError("--checkpoints and --public-key go together: the checkpoints and the key(s) that signed them")
        }
        if let expectHead {
            let parts = expectHead.split(separator: ":")
            guard parts.count == 2, Int64(parts[0]) != nil, Hex.decode(String(parts[1]))?.count == 32 else {
                throw ValidationError("--expect-head takes SEQ:HEX, e.g. 1042:9f86d0…, as printed by an earlier verify")
            }
        }
    }

    func run() async throws {
        let store = try await db.openCurrentStore(maxConnections: 2)
        let report = try await store.events.verify()
        var anchorProblem: String?
        if let expectHead, report.isIntact {
            let parts = expectHead.split(separator: ":")
            let seq = Int64(parts[0])!, hash = Hex.decode(String(parts[1]))!
            let stored = try await store.events.hash(ofEvent: seq)
            if stored != hash {
                anchorProblem =
                    stored == nil
                    ? "event \(seq) of the recorded head is no longer in the log"
                    : "event \(seq) no longer has the recorded hash: the log was rewritten from there on"
            }
        }
        var checked: CheckpointReport?
        if let checkpoints {
            var keys: [String: Ed25519VerifyingKey] = [:]
            for file in publicKeys {
                let key = try Ed25519VerifyingKey(pem: String(contentsOfFile: file, encoding: .utf8))
                keys[try key.keyID()] = key
            }
            let files = try await checkpointPlace(checkpoints).files()
            let known = keys
            checked = try await store.events.withHashLookup { hashOfEvent in
                try CheckpointVerifier.verify(files, keys: known) { try hashOfEvent($0) }
            }
            if files.isEmpty { anchorProblem = anchorProblem ?? "no checkpoints in \(checkpoints)" }
        }
        let checkpointProblem = checked.flatMap { $0.problems.first }.map { "checkpoint \($0.file): \($0.explanation)" }
        anchorProblem = anchorProblem ?? checkpointProblem
        let head = "\(report.checked):\(Hex.encode(report.headHash))"
        // Recorded, so the compliance page shows the last result without verifying per view.
        let problem = report.firstBreak.map { "event \($0.seq) (\($0.kind.rawValue)): \($0.explanation)" } ?? anchorProblem
        do {
            try await store.verifications.record(
                intact: report.isIntact && anchorProblem == nil, events: report.checked, head: head, problem: problem)
        } catch {
            Terminal.note("warning: the result could not be recorded in the database: \(error)")
        }
        if format == "json" {
            var object: [String: Any] = ["intact": report.isIntact && anchorProblem == nil, "events": report.checked, "head": head]
            if let b = report.firstBreak {
                object["break"] = ["kind": b.kind.rawValue, "seq": b.seq, "explanation": b.explanation]
            } else if let anchorProblem {
                object["break"] = ["kind": "rewritten", "explanation": anchorProblem]
            }
            if let checked {
                var c: [String: Any] = [
                    "verified": checked.verified.count,
                    "problems": checked.problems.map { ["file": $0.file, "seq": $0.seq as Any, "explanation": $0.explanation] },
                ]
                if let last = checked.lastVerified {
                    c["last"] = ["seq": last.seq, "time": last.time.rfc3339, "key": last.keyID]
                    c["unsigned_events"] = max(0, report.checked - last.seq)
                }
                object["checkpoints"] = c
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else if let b = report.firstBreak {
            print("BROKEN at event \(b.seq) (\(b.kind.rawValue)): \(b.explanation)")
        } else if let anchorProblem {
            print("BROKEN: \(anchorProblem)")
        } else {
            print("intact, \(report.checked) events")
            print("head \(head)")
        }
        if format == "text", let checked, let last = checked.lastVerified {
            print("checkpoints: \(checked.verified.count) verified, the last of event \(last.seq) at \(last.time.rfc3339) (key \(last.keyID))")
            let newer = report.checked - last.seq
            print(
                newer > 0
                    ? "events \(last.seq + 1)…\(report.checked) (\(newer)) are newer than the last checkpoint: not yet signed"
                    : "every event is covered by the last checkpoint")
        }
        if !report.isIntact || anchorProblem != nil { throw ExitCode(1) }
    }
}
