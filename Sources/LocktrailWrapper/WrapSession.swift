import Dispatch
public import LocktrailCore
import Synchronization

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One wrapped terraform run: starts the command, reports `run.started`, heartbeats while it is
/// alive, what it recognises in the output, and `run.finished`. Reporting never changes what the
/// command does, and a reporting failure never stops it.
public final class WrapSession: Sendable {
    private let arguments: [String]
    private let environment: [String: String]
    private let spool: HookSpool
    private let client: HookClient?
    private let heartbeatInterval: Double
    private let now: @Sendable () -> Timestamp
    private let runID = UUID().uuidString.lowercased()
    private let context: RunContext
    private let progress = Mutex(Progress())

    /// What changes while the command runs, behind `progress`.
    private struct Progress {
        var scanner = TerraformOutputScanner()
        /// Signals of `scanner` already reported.
        var reported = 0
        /// The newest background send; each waits for the one before it.
        var sender: Task<Void, Never>?
        var problems: [String] = []
    }

    /// Problems with reporting (never with the command), for `--verbose`.
    public var reportingProblems: [String] { progress.withLock { $0.problems } }

    /// A session for `arguments` (`["terraform", "apply", …]`).
    public init(
        arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        spool: HookSpool, client: HookClient?, heartbeatInterval: Double = WrapSession.defaultHeartbeat,
        now: @escaping @Sendable () -> Timestamp = { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }
    ) {
        self.arguments = arguments
        self.environment = environment
        self.spool = spool
        self.client = client
        self.heartbeatInterval = heartbeatInterval
        self.now = now
        let program = arguments.first.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? "terraform"
        context = RunContext(
            program: program, arguments: Array(arguments.dropFirst()), environment: environment,
            user: LocalIdentity.userName(environment), host: LocalIdentity.hostName(), currentDirectory: FileManager.default.currentDirectoryPath,
            readFile: { path in FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } })
    }

    /// Seconds between heartbeats unless `LOCKTRAIL_HEARTBEAT` says otherwise.
    public static let defaultHeartbeat: Double = 30

    /// The heartbeat interval `LOCKTRAIL_HEARTBEAT` asks for (`30s`, `2m`, or seconds, 1 s to
    /// 1 h), or why it cannot be used.
    public static func heartbeatInterval(_ environment: [String: String]) -> Result<Double, WrapConfigurationError> {
        guard let text = environment["LOCKTRAIL_HEARTBEAT"], !text.isEmpty else { return .success(defaultHeartbeat) }
        guard let seconds = TimeExpression.duration(text, bareNumberIsSeconds: true), (1...3600).contains(seconds) else {
            return .failure(
                WrapConfigurationError(description: "LOCKTRAIL_HEARTBEAT=\(text) is not a duration from 1s to 1h; using \(Int(defaultHeartbeat))s"))
        }
        return .success(seconds)
    }

    /// The run's id.
    public var id: String { runID }

    /// Runs the command to completion and reports it. Throws only if the command cannot start.
    public func run() async throws -> WrappedProcess.Termination {
        let started = now()
        var base: [String: JSONValue] = [
            "user": .optional(context.user), "host": .optional(context.host), "who": .string(context.who),
            "program": .string(context.program), "arguments": .array(context.arguments.map(JSONValue.string)),
            "subcommand": .optional(context.subcommand), "directory": .string(context.directory),
            "heartbeat_seconds": .number(heartbeatInterval),
        ]
        if let ci = context.ci { base["ci"] = ci.json }
        if let backend = context.backend { base["backend"] = backend.json }
        record(.runStarted, details: base)
        flushInBackground()  // also sends what earlier runs left in the spool

        let process = WrappedProcess(arguments: arguments) { [weak self] line in self?.scan(line) }
        let heartbeat = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(self?.heartbeatInterval ?? WrapSession.defaultHeartbeat))
                if Task.isCancelled { break }
                guard let self else { break }
                // The interval rides along, so `unlock` knows how long a silence means the run is gone.
                self.record(.runHeartbeat, details: ["who": .string(self.context.who), "heartbeat_seconds": .number(self.heartbeatInterval)])
                self.flushInBackground()
            }
        }
        let pidBox = PIDBox()
        let termination: WrappedProcess.Termination = try await withCheckedThrowingContinuation { continuation in
            // The blocking relay runs on a queue of its own, never on the cooperative pool.
            DispatchQueue(label: "locktrail.wrap.relay").async {
                do {
                    continuation.resume(returning: try process.run { pid in pidBox.set(pid) })
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        heartbeat.cancel()
        finishScanner()
        reportSignals()
        var finished: [String: JSONValue] = [
            "who": .string(context.who), "duration_seconds": .number((now().secondsSinceEpoch - started.secondsSinceEpoch).rounded(toPlaces: 3)),
        ]
        switch termination {
        case .exited(let code): finished["exit_code"] = .int(Int64(code))
        case .signaled(let signal): finished["signal"] = .int(Int64(signal)); finished["exit_code"] = .int(Int64(128 + signal))
        }
        if let pid = pidBox.get() { finished["pid"] = .int(Int64(pid)) }
        record(.runFinished, details: finished)
        return termination
    }

    /// Sends what is spooled, waiting at most `grace`; returns how many events are left for a
    /// later flush (none when no server is configured: then the spool is all there is).
    public func finishReporting(grace: Duration = .milliseconds(300)) async -> Int {
        guard let client else { return 0 }
        // A send under way (usually run.started's) is let finish rather than aborted and
        // repeated; then what is left goes, in one request on the same connection.
        let previous = progress.withLock { $0.sender }
        let flush = Task {
            await previous?.value
            return await client.flush(timeout: .seconds(2))
        }
        let outcome = await withTaskGroup(of: HookClient.FlushOutcome?.self) { group in
            group.addTask { await flush.value }
            group.addTask {
                try? await Task.sleep(for: grace); return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if let outcome {
            if let error = outcome.error { note(error) }
            return outcome.remaining
        }
        return spool.count()
    }

    private func finishScanner() {
        progress.withLock { $0.scanner.finish() }
    }

    private func scan(_ line: String) {
        progress.withLock { $0.scanner.feed(line: line) }
        reportSignals()
    }

    /// Reports signals recognised since the last call, as they happen.
    private func reportSignals() {
        let fresh = progress.withLock { progress in
            defer { progress.reported = progress.scanner.signals.count }
            return Array(progress.scanner.signals.dropFirst(progress.reported))
        }
        for signal in fresh {
            switch signal {
            case .contended(let holder, let error):
                record(
                    .lockContended, lockID: holder.id,
                    details: [
                        "who": .string(context.who), "holder_who": .optional(holder.who), "holder_operation": .optional(holder.operation),
                        "holder_version": .optional(holder.version), "holder_created": .optional(holder.createdText),
                        "holder_path": .optional(holder.path), "error": .optional(error),
                    ])
            case .forceUnlocked:
                record(
                    .lockForceUnlocked, lockID: forceUnlockTarget,
                    details: [
                        "actor": .string(context.who), "tool": .string(context.program + " force-unlock"), "outcome": "unlocked",
                    ])
            case .releaseFailed(let message, let lockID):
                record(.lockReleaseFailed, lockID: lockID, details: ["who": .string(context.who), "message": .optional(message)])
            }
            flushInBackground()
        }
    }

    /// The lock ID given to `force-unlock`.
    private var forceUnlockTarget: String? {
        guard let index = context.arguments.firstIndex(of: "force-unlock") else { return nil }
        return context.arguments[(index + 1)...].first { !$0.hasPrefix("-") }
    }

    private func record(_ kind: EventKind, lockID: String? = nil, details: [String: JSONValue]) {
        let event = HookEvent(
            id: UUID().uuidString.lowercased(), kind: kind, time: now(), runID: runID,
            state: context.statePath, workspace: context.backend == nil ? nil : context.workspace,
            lockID: lockID, details: details)
        do { try spool.store(event) } catch { note("cannot spool a hook event in \(spool.directory.path): \(error)") }
    }

    private func flushInBackground() {
        guard let client else { return }
        progress.withLock { progress in
            let previous = progress.sender
            progress.sender = Task {
                await previous?.value
                let outcome = await client.flush(timeout: .seconds(5))
                if let error = outcome.error { self.note(error) }
            }
        }
    }

    private func note(_ problem: String) {
        progress.withLock { $0.problems.append(problem) }
    }
}

private final class PIDBox: Sendable {
    private let pid = Mutex<pid_t?>(nil)
    func set(_ value: pid_t) { pid.withLock { $0 = value } }
    func get() -> pid_t? { pid.withLock { $0 } }
}

extension Double {
    fileprivate func rounded(toPlaces places: Int) -> Double {
        let factor = pow(10, Double(places))
        return (self * factor).rounded() / factor
    }
}

/// A wrapper setting that cannot be used; the wrapper goes on with the default.
public struct WrapConfigurationError: Error, CustomStringConvertible {
    public let description: String
}
