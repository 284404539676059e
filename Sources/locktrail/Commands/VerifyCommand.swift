import ArgumentParser
import Foundation
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
            --expect-head: that also proves nothing was rewritten wholesale.
            """)

    @OptionGroup var db: DatabaseOptions

    @Option(name: .long, help: ArgumentHelp("A head hash recorded earlier, as SEQ:HEX; verify fails unless that event still has that hash.", valueName: "seq:hex"))
    var expectHead: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: String = "text"

    func validate() throws {
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
        if let expectHead {
            let parts = expectHead.split(separator: ":")
            guard parts.count == 2, Int64(parts[0]) != nil, Hex.decode(String(parts[1]))?.count == 32 else {
                throw ValidationError("--expect-head takes SEQ:HEX, e.g. 1042:9f86d0…, as printed by an earlier verify")
            }
        }
    }

    func run() async throws {
        let pool = try await db.openCurrentPool(maxConnections: 2)
        let report = try await pool.withConnection { try EventLog.verify(on: $0) }
        var anchorProblem: String?
        if let expectHead, report.isIntact {
            let parts = expectHead.split(separator: ":")
            let seq = Int64(parts[0])!, hash = Hex.decode(String(parts[1]))!
            let stored = try await pool.withConnection { try EventLog.hash(ofEvent: seq, on: $0) }
            if stored != hash {
                anchorProblem = stored == nil
                    ? "event \(seq) of the recorded head is no longer in the log"
                    : "event \(seq) no longer has the recorded hash: the log was rewritten from there on"
            }
        }
        let head = "\(report.checked):\(Hex.encode(report.headHash))"
        if format == "json" {
            var object: [String: Any] = ["intact": report.isIntact && anchorProblem == nil, "events": report.checked, "head": head]
            if let b = report.firstBreak {
                object["break"] = ["kind": b.kind.rawValue, "seq": b.seq, "explanation": b.explanation]
            } else if let anchorProblem {
                object["break"] = ["kind": "rewritten", "explanation": anchorProblem]
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
        if !report.isIntact || anchorProblem != nil { throw ExitCode(1) }
    }
}
