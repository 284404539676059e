/// What a wrapper recognises in terraform's (or OpenTofu's) output (terraform-locks.md §5–6).
public enum TerraformSignal: Hashable, Sendable {
    /// The run was blocked: the holder's lock as terraform printed it.
    case contended(holder: PrintedLockInfo, error: String?)
    /// `force-unlock` succeeded.
    case forceUnlocked
    /// The run could not release its lock; `lockID` when the message names one.
    case releaseFailed(message: String?, lockID: String?)
}

/// The `Lock Info:` block terraform prints on contention.
public struct PrintedLockInfo: Hashable, Sendable {
    /// `ID:`.
    public var id: String?
    /// `Path:`.
    public var path: String?
    /// `Operation:`.
    public var operation: String?
    /// `Who:`.
    public var who: String?
    /// `Version:`.
    public var version: String?
    /// `Created:` as printed (Go's `time.String()`, e.g. `2021-09-27 00:10:27.424064363 +0000 UTC`).
    public var createdText: String?
    /// `Info:`.
    public var info: String?

    /// An empty block.
    public init() {}

    /// `Created` parsed and truncated to microseconds, if it has Go's `time.String()` form.
    public var created: Timestamp? {
        guard let text = createdText else { return nil }
        // "2021-09-27 00:10:27.424064363 +0000 UTC" → "2021-09-27 00:10:27.424064363+0000"
        let parts = text.split(separator: " ")
        guard parts.count >= 3 else { return nil }
        let offset = parts[2]
        guard offset.count == 5 else { return Timestamp(parsing: parts[0] + "T" + parts[1] + "Z") }
        return Timestamp(parsing: parts[0] + "T" + parts[1] + offset.prefix(3) + ":" + offset.suffix(2))
    }
}

/// Reads terraform's output line by line, in either the human form (with or without the `│ `
/// box and ANSI colours) or the `-json` machine form, and reports the signals above. Pure and
/// incremental: feed it lines as they arrive.
public struct TerraformOutputScanner: Sendable {
    private enum State: Sendable {
        case idle
        case acquireError(error: String?)
        case lockInfo(PrintedLockInfo, error: String?)
        case releaseError(message: String?)
    }

    private var state = State.idle
    /// Signals recognised so far.
    public private(set) var signals: [TerraformSignal] = []

    /// A scanner at the start of the output.
    public init() {}

    /// Feeds one line (without its newline).
    public mutating func feed(line raw: String) {
        let line = Self.clean(raw)
        if line.hasPrefix("{"), line.contains("\"@message\"") || line.contains("\"type\"") {
            feedJSON(line)
            return
        }
        feedHuman(line)
    }

    /// Ends the output: a block still open is reported.
    public mutating func finish() {
        flush()
    }

    private mutating func feedHuman(_ line: String) {
        let trimmed = line.trimmingLeadingSpaces()
        if trimmed.contains("state has been successfully unlocked!") {
            flush()
            signals.append(.forceUnlocked)
            return
        }
        if trimmed.hasPrefix("Error: Error acquiring the state lock") || trimmed == "Error acquiring the state lock" {
            flush()
            state = .acquireError(error: nil)
            return
        }
        if trimmed.hasPrefix("Error: Error releasing the state lock") || trimmed == "Error releasing the state lock" {
            flush()
            state = .releaseError(message: nil)
            return
        }
        switch state {
        case .idle:
            return
        case .acquireError(let error):
            if trimmed.hasPrefix("Error message:") {
                state = .acquireError(error: String(trimmed.dropFirst("Error message:".count)).trimmingLeadingSpaces())
            } else if trimmed.hasPrefix("Lock Info:") {
                state = .lockInfo(PrintedLockInfo(), error: error)
            } else if !trimmed.isEmpty, case .acquireError(let e?) = state {
                state = .acquireError(error: e + " " + trimmed)  // the error message wraps over lines
            }
        case .lockInfo(var info, let error):
            guard let colon = trimmed.firstIndex(of: ":"), !trimmed.isEmpty else {
                if trimmed.isEmpty, info.id != nil { flush() }
                return
            }
            let key = trimmed[..<colon]
            let value = String(trimmed[trimmed.index(after: colon)...]).trimmingLeadingSpaces()
            switch key {
            case "ID": info.id = value
            case "Path": info.path = value
            case "Operation": info.operation = value
            case "Who": info.who = value
            case "Version": info.version = value
            case "Created": info.createdText = value
            case "Info": info.info = value
            default:
                flush()
                return
            }
            state = .lockInfo(info, error: error)
            if key == "Info" { flush() }
        case .releaseError(let message):
            // The message wraps over lines until a blank one.
            if trimmed.hasPrefix("Error message:") {
                state = .releaseError(message: String(trimmed.dropFirst("Error message:".count)).trimmingLeadingSpaces())
            } else if let message {
                if trimmed.isEmpty { flush() } else { state = .releaseError(message: message + " " + trimmed) }
            }
        }
    }

    private mutating func flush() {
        switch state {
        case .lockInfo(let info, let error):
            signals.append(.contended(holder: info, error: error))
        case .acquireError(let error):
            if error != nil { signals.append(.contended(holder: PrintedLockInfo(), error: error)) }
        case .releaseError(let message):
            signals.append(.releaseFailed(message: message, lockID: message.flatMap(Self.quotedLockID)))
        case .idle:
            break
        }
        state = .idle
    }

    /// `-json` output: diagnostics carry the same text in `summary` and `detail`.
    private mutating func feedJSON(_ line: String) {
        guard let value = try? JSONParser.parse(line) else { return }
        if let message = value["@message"]?.stringValue, message.contains("state has been successfully unlocked!") {
            signals.append(.forceUnlocked)
            return
        }
        guard value["type"]?.stringValue == "diagnostic", let diagnostic = value["diagnostic"] else { return }
        let summary = diagnostic["summary"]?.stringValue ?? ""
        let detail = diagnostic["detail"]?.stringValue ?? ""
        if summary.contains("Error acquiring the state lock") || summary.contains("Error releasing the state lock") {
            var inner = TerraformOutputScanner()
            inner.feedHuman(summary.hasPrefix("Error") ? summary : "Error: " + summary)
            for detailLine in detail.split(separator: "\n", omittingEmptySubsequences: false) { inner.feedHuman(String(detailLine)) }
            inner.flush()
            signals += inner.signals
        }
    }

    /// The line without ANSI escapes, carriage returns and the human view's `│ `, `╷`, `╵` box.
    static func clean(_ line: String) -> String {
        var out = ""
        var iterator = line.unicodeScalars.makeIterator()
        while let c = iterator.next() {
            if c == "\u{1B}" {
                // CSI: ESC [ … final byte in @…~
                if let next = iterator.next(), next == "[" {
                    while let d = iterator.next(), !(d.value >= 0x40 && d.value <= 0x7E) {}
                }
                continue
            }
            if c == "\r" { continue }
            out.unicodeScalars.append(c)
        }
        var trimmed = withoutTerragruntPrefix(Substring(out))
        for prefix in ["│ ", "│", "╷", "╵"] where trimmed.hasPrefix(prefix) {
            trimmed = trimmed.dropFirst(prefix.count)
            break
        }
        return String(trimmed)
    }

    /// `line` without what terragrunt puts before each line of terraform's output: its log
    /// prefix (`14:20:38.451 STDERR [unit] tofu: `, the unit only under `run --all`) or, in older
    /// versions with `TERRAGRUNT_INCLUDE_MODULE_PREFIX`, the module's path in brackets.
    static func withoutTerragruntPrefix(_ line: Substring) -> Substring {
        var rest = line
        // [HH:MM:SS(.fff) ]STDOUT|STDERR [[unit] ]terraform|tofu: …
        if let space = rest.firstIndex(of: " "), rest[..<space].allSatisfy({ $0.isNumber || $0 == ":" || $0 == "." }),
            rest[..<space].contains(":")
        {
            rest = rest[rest.index(after: space)...]
        }
        for level in ["STDOUT ", "STDERR "] where rest.hasPrefix(level) {
            var tool = rest.dropFirst(level.count)
            if tool.hasPrefix("["), let close = tool.firstIndex(of: "]") {
                tool = tool[tool.index(after: close)...].drop { $0 == " " }
            }
            for name in ["terraform: ", "tofu: ", "terraform:", "tofu:"] where tool.hasPrefix(name) {
                return tool.dropFirst(name.count)
            }
        }
        // [/path/to/module] …
        if line.hasPrefix("["), let close = line.firstIndex(of: "]"), line[..<close].contains("/") {
            return line[line.index(after: close)...].drop { $0 == " " }
        }
        return line
    }

    /// The lock ID in messages such as `lock ID "…" does not match existing lock`.
    static func quotedLockID(in message: String) -> String? {
        guard let range = message.firstRange(of: "lock ID \"") else { return nil }
        let rest = message[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}

extension String {
    func trimmingLeadingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
