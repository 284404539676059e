#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor with exactly one owner, which closes it: it cannot be copied, so it cannot
/// be closed twice or forgotten (in the manner of swift-subprocess's `IODescriptor`). Hand it to
/// code that takes over with `take()`; close it early with `close()`; otherwise it is closed
/// when its owner goes away.
public struct FileDescriptor: ~Copyable {
    /// The descriptor's number, for the calls that read, write or poll it.
    public let rawValue: Int32

    /// Takes ownership of `rawValue`.
    public init(owning rawValue: Int32) { self.rawValue = rawValue }

    /// Closes it now.
    public consuming func close() {
        _ = systemClose(rawValue)
        discard self
    }

    /// Gives up ownership: the caller closes the number it gets.
    public consuming func take() -> Int32 {
        let raw = rawValue
        discard self
        return raw
    }

    deinit { _ = systemClose(rawValue) }
}

/// `close(2)` under a name that does not clash with `FileDescriptor.close()`. Not retried on
/// EINTR: on Linux the descriptor is gone either way, and a retry could close another's.
private func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(fd)
    #else
    Darwin.close(fd)
    #endif
}
