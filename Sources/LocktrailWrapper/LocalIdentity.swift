#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Who is running this process, named as terraform names the holder of a lock (`Who`).
public enum LocalIdentity {
    /// The user name: the account's, else `$USER`/`$LOGNAME`.
    public static func userName(_ environment: [String: String]) -> String? {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return environment["USER"] ?? environment["LOGNAME"]
    }

    /// This machine's host name.
    public static func hostName() -> String? {
        var buffer = [UInt8](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// `user@host`, or `@host` when the user cannot be named, as terraform writes it.
    public static func who(_ environment: [String: String]) -> String {
        (userName(environment) ?? "") + "@" + (hostName() ?? "")
    }
}
