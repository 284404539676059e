import Foundation

/// The `locktrail` executable built next to the test bundle, for tests that run it as a user would.
public enum LocktrailBinary {
    /// Its path (`LOCKTRAIL_BIN` overrides).
    public static var path: String {
        if let given = ProcessInfo.processInfo.environment["LOCKTRAIL_BIN"], !given.isEmpty { return given }
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [here, here.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("locktrail").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return "locktrail"
    }
}
