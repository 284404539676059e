import Foundation
public import LocktrailCore

extension LeaseHolder {
    /// This process: its host name, its pid and a random id.
    public static let thisProcess = LeaseHolder(
        id: UUID().uuidString.lowercased(), host: ProcessInfo.processInfo.hostName, pid: ProcessInfo.processInfo.processIdentifier)
}
