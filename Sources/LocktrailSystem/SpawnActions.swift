#if canImport(Glibc)
public import Glibc
#elseif canImport(Darwin)
public import Darwin
#endif

/// Additions to `posix_spawn` file actions that the C library has but Swift's overlay does not show.
public enum SpawnActions {
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// glibc ≥ 2.34's `posix_spawn_file_actions_addclosefrom_np`, looked up once (its header
    /// declaration is not imported into Swift).
    private static let closeFrom: CloseFrom? = {
        // RTLD_DEFAULT: glibc's is the null handle.
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()

    /// Makes the child close every descriptor from `lowest` up, so nothing of the parent's —
    /// sockets, a server's listener, files — leaks into it, whatever was opened without
    /// close-on-exec. Returns false where the C library cannot (the child then inherits them).
    @discardableResult
    public static func closeDescriptors(from lowest: Int32, in actions: inout posix_spawn_file_actions_t) -> Bool {
        guard let closeFrom else { return false }
        return closeFrom(&actions, lowest) == 0
    }
}
