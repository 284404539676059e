import Foundation
import LocktrailCore
import LocktrailCrypto
import LocktrailPostgres
import LocktrailStore

/// Benchmark 1: appends generated events through `EventLog.append(_:pool:)` (chain included), one
/// transaction per batch, and reports rows per second. Only the appends are timed; generating
/// the events happens between them, outside the clock.
struct AppendBenchmark {
    var database: String
    var events: Int
    var batch: Int
    var seed: UInt64
    var dump: String?
    var phases: Bool
    /// `lock` (DynamoDB scan events, `LockEventGenerator`) or `scale` (`ScaleEventGenerator`).
    var shape = "lock"
    /// The states the `scale` shape spreads its runs over.
    var states = 10_000

    /// The 17 columns of `queries/events_copy.sql`, in its order.
    static let columns =
        "seq, key, kind, source, mechanism, occurred_at, occurred_after, occurred_not_after, "
        + "observed_at, lock_id, state, workspace, details, raw, prev_hash, hash, encoding"

    func run() async throws {
        let pool = PostgresPool(conninfo: database, maxConnections: 1)
        // Connect (and check the schema is there) before the clock starts.
        let before = try await pool.withConnection { try $0.query("SELECT count(*) FROM events").int(0, 0) ?? 0 }
        guard before == 0 else { throw BenchmarkError("the events table already holds \(before) rows; use a freshly migrated database") }

        var generator: any EventGenerator =
            shape == "scale"
            ? ScaleEventGenerator(seed: seed, stateCount: states) : LockEventGenerator(seed: seed)
        let clock = ContinuousClock()
        var appending = Duration.zero, generating = Duration.zero
        var kinds: [String: Int] = [:]
        var appended = 0, slowest = Duration.zero
        let wall = clock.now
        while appended < events {
            let g = clock.now
            let batchEvents = generator.next(min(batch, events - appended))
            generating += clock.now - g
            for e in batchEvents { kinds[e.kind.rawValue, default: 0] += 1 }

            let a = clock.now
            let outcome = try await EventLog.append(batchEvents, pool: pool)
            let took = clock.now - a
            appending += took
            slowest = max(slowest, took)
            guard outcome.appended == batchEvents.count else {
                throw BenchmarkError("batch appended \(outcome.appended) of \(batchEvents.count) events (\(outcome.duplicates) duplicates)")
            }
            appended += outcome.appended
        }
        let total = clock.now - wall
        await pool.close()

        let seconds = appending.seconds
        print(
            "events:     \(appended) in batches of \(batch) (\(kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))"
        )
        print("append:     \(format(seconds)) s, \(Int(Double(appended) / seconds)) rows/s (slowest batch \(format(slowest.seconds)) s)")
        print("generate:   \(format(generating.seconds)) s (not timed); wall \(format(total.seconds)) s")
        if phases { try measurePhases() }
        if let dump { try writeDump(to: dump) }
        if let scale = generator as? ScaleEventGenerator {
            print("SCALE states=\(states) first=\(scale.started.rfc3339) last=\(scale.now.rfc3339) state0=\(scale.lockPath(0))")
        }
        print("RESULT append rows=\(appended) seconds=\(format(seconds)) rows_per_second=\(Int(Double(appended) / seconds))")
    }

    /// Re-generates the same events and times the client-side work of an append on its own:
    /// the canonical encoding, SHA-256, and the COPY text fields (an approximation of
    /// `EventLog.copyFields`, which is private).
    private func measurePhases() throws {
        var generator = LockEventGenerator(seed: seed)
        let clock = ContinuousClock()
        var canonical = Duration.zero, hashing = Duration.zero, fields = Duration.zero
        var previous = EventChain.genesis
        var bytes = 0, done = 0
        while done < events {
            let batchEvents = generator.next(min(batch, events - done))
            for e in batchEvents {
                let c0 = clock.now
                let encoded = e.canonicalEncoding
                let c1 = clock.now
                previous = EventChain.hash(previous: previous, canonical: encoded)
                let c2 = clock.now
                let row: [String?] = [
                    e.key, e.observedAt.rfc3339, e.time.latest.rfc3339, CanonicalJSON.string(e.details),
                    e.raw.map { CanonicalJSON.string($0) }, "\\x" + Hex.encode(previous),
                ]
                let c3 = clock.now
                canonical += c1 - c0; hashing += c2 - c1; fields += c3 - c2
                bytes += encoded.count + row.reduce(0) { $0 + ($1?.utf8.count ?? 0) }
            }
            done += batchEvents.count
        }
        print(
            "client CPU: canonical JSON \(format(canonical.seconds)) s, SHA-256 \(format(hashing.seconds)) s, "
                + "COPY fields ~\(format(fields.seconds)) s (\(bytes / max(done, 1)) bytes/event)")
    }

    /// Writes the rows the store wrote, in COPY text format, via psql (`PSQL` or `psql` on PATH).
    private func writeDump(to path: String) throws {
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        psql.arguments = [
            ProcessInfo.processInfo.environment["PSQL"] ?? "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database,
            "-c", "COPY (SELECT \(Self.columns) FROM events ORDER BY seq) TO STDOUT",
        ]
        guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path) else {
            throw BenchmarkError("cannot write \(path)")
        }
        defer { try? out.close() }
        psql.standardOutput = out
        try psql.run()
        psql.waitUntilExit()
        guard psql.terminationStatus == 0 else { throw BenchmarkError("psql could not dump the events (exit \(psql.terminationStatus))") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("dump:       \(path) (\(size / 1_048_576) MiB)")
    }

    private func format(_ seconds: Double) -> String { String(format: "%.3f", seconds) }
}

/// A deterministic source of events in chain order.
protocol EventGenerator {
    mutating func next(_ count: Int) -> [Event]
}

extension LockEventGenerator: EventGenerator {}
extension ScaleEventGenerator: EventGenerator {}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
