/// The version every locktrail binary reports.
public enum LocktrailVersion {
    /// The release, e.g. `0.1.0`.
    public static let current = "0.1.0"
}
