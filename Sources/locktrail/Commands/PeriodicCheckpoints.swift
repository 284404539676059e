import Foundation
import LocktrailCollector
import LocktrailCore
import LocktrailCrypto
import LocktrailStore
import Logging
import ServiceLifecycle

/// `collect --checkpoint-key`: signs the chain head every `every` seconds into one place. Of all
/// the collectors given the same place, only the one holding the lease `checkpoints:<place>`
/// signs, so they write one chain: each checkpoint names the newest one in the place as its
/// previous. The period runs from the newest checkpoint's time, so a restart or a change of
/// signer neither hurries nor delays the next one.
///
/// The place (a directory, an S3 prefix) cannot check a fencing token, so a signer writes only
/// while its lease runs for at least a third of its duration more: a takeover cannot come before
/// the lease lapses, and the two small writes take far less. Were a signer still to be paused
/// past that (a frozen VM), the fork is not silent: `verify --checkpoints` reports the checkpoint
/// whose previous is not the one before it.
struct PeriodicCheckpoints: Service {
    let place: any CheckpointPlace
    let location: String
    let key: Ed25519SigningKey
    let keyID: String
    let every: Double
    let events: EventLogStore
    let keeper: LeaseKeeper
    let logger: Logger

    /// The lease's name for checkpoints kept at `location`.
    static func leaseName(_ location: String) -> String { "checkpoints:" + location }

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await keeper.keep() }
            await signLoop()
            group.cancelAll()
        }
        await keeper.release()
    }

    private func now() -> Timestamp { Timestamp(secondsSinceEpoch: Date().timeIntervalSince1970) }

    private func signLoop() async {
        var nextCheck = ContinuousClock.now
        let margin = keeper.timings.duration / 3
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let wait = min(max(0, (nextCheck - ContinuousClock.now) / .seconds(1)), 0.2)
            if wait > 0 {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(wait)) }
                continue
            }
            guard keeper.isHeld(forAtLeast: margin) else {
                nextCheck = ContinuousClock.now.advanced(by: .milliseconds(200))
                continue
            }
            do {
                let latest = try await place.latest()
                let previous = latest.flatMap { Checkpoint(message: $0.message) }
                if latest != nil && previous == nil {
                    throw CheckpointPlaceError(
                        description: "the newest file in \(location), \(latest!.name), is not a locktrail checkpoint: refusing to chain to it")
                }
                if let previous {
                    let due = previous.time.secondsSinceEpoch + every - now().secondsSinceEpoch
                    if due > 0 {
                        nextCheck = ContinuousClock.now.advanced(by: .seconds(due))
                        continue
                    }
                }
                let head = try await events.head()
                guard head.seq > 0 else {
                    // Nothing to vouch for yet.
                    nextCheck = ContinuousClock.now.advanced(by: .seconds(min(every, 5)))
                    continue
                }
                guard keeper.isHeld(forAtLeast: margin) else { continue }
                let (checkpoint, written) = try await CheckpointSigning.sign(head: head, previous: previous, key: key, keyID: keyID, into: place)
                logger.notice(
                    "checkpoint signed",
                    metadata: [
                        "seq": "\(checkpoint.seq)", "head": "\(checkpoint.head)", "key": "\(keyID)", "written": "\(written)",
                        "token": "\(keeper.current?.token ?? 0)",
                    ])
                nextCheck = ContinuousClock.now.advanced(by: .seconds(every))
            } catch {
                logger.error("signing a checkpoint failed; retrying", metadata: ["place": "\(location)", "error": "\(error)"])
                nextCheck = ContinuousClock.now.advanced(by: .seconds(min(every, 30)))
            }
        }
    }
}

/// The checkpoint place holds something that is not a checkpoint where the newest should be.
struct CheckpointPlaceError: Error, CustomStringConvertible {
    var description: String
}
