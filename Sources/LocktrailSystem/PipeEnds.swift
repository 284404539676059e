#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pipe's two ends, each with one owner. Both are close-on-exec: a child gets an end only as
/// one of the descriptors its spawn actions give it (and `Spawn` closes the rest anyway).
public struct PipeEnds: ~Copyable {
    /// The end to read from.
    public var read: FileDescriptor
    /// The end to write to.
    public var write: FileDescriptor

    /// A new pipe.
    public init() throws(SystemError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw SystemError(call: "pipe", errno: errno) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        read = FileDescriptor(owning: ends[0])
        write = FileDescriptor(owning: ends[1])
    }

    /// For reading what a child writes: closes our write end (the child has its copy, so the
    /// read ends when the child's does) and hands over the read end.
    public consuming func readingEnd() -> FileDescriptor {
        write.close()
        return read
    }

    /// For writing what a child reads: closes our read end and hands over the write end.
    public consuming func writingEnd() -> FileDescriptor {
        read.close()
        return write
    }
}
