#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A system call that failed, with its `errno`.
public struct SystemError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The call, e.g. `posix_spawn`.
    public var call: String
    /// The error number.
    public var errno: Int32

    /// An error of `call`.
    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}
