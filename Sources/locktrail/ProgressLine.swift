import Foundation
import LocktrailCollector

/// A backfill's progress on standard error: one line redrawn in place on a terminal, otherwise a
/// line every few seconds (so logs of a CI job or a systemd unit stay readable).
final class ProgressLine: @unchecked Sendable {
    private let terminal: Bool
    private let lock = NSLock()
    private var lastPrinted = Date.distantPast
    private var drawn = false

    /// A progress line; `terminal` chooses redrawing in place.
    init(terminal: Bool) { self.terminal = terminal }

    /// Shows `progress` (rate-limited when not on a terminal).
    func show(_ progress: S3Backfill.Progress) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard terminal || progress.finished || now.timeIntervalSince(lastPrinted) >= 5 else { return }
        lastPrinted = now
        let rate = progress.seconds > 0 ? Double(progress.listed) / progress.seconds : 0
        // The listing's length is unknown until its end, so the bar turns rather than fills.
        let spinner = progress.finished ? "done" : ["|", "/", "-", "\\"][Int(progress.seconds * 4) % 4]
        var line =
            "\(progress.source) [\(spinner)] \(progress.listed) listed, \(progress.read) read, "
            + "\(progress.appended) new events, \(progress.duplicates) already recorded, \(String(format: "%.0f", rate))/s"
        if let after = progress.resumedAfter { line += " (resumed after \(after))" }
        if terminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
            drawn = true
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// Ends the line on a terminal.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if terminal && drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
