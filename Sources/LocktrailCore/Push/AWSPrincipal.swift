/// Who made an S3 request, as an S3 event notification names it (`userIdentity.principalId`),
/// read as an identity: an assumed role's session name is not part of it.
///
/// The shapes S3 sends: `AWS:AROA…:session` for an assumed role (the session changes when
/// credentials are refreshed, or names an EC2 instance or an SSO user), `AWS:AIDA…` for an IAM
/// user, `AWS:<account>` for the account's root user, `AWS:<account>:<name>` for a federated user,
/// a service name (`s3.amazonaws.com`) for S3's own work, `Anonymous` for unsigned requests.
/// Anything else is kept as an opaque text.
public struct AWSPrincipal: Hashable, Sendable, CustomStringConvertible {
    /// What kind of principal it is.
    public enum Kind: String, Hashable, Sendable {
        /// An assumed IAM role (`AROA…`); the session is not part of the identity.
        case assumedRole = "assumed_role"
        /// An IAM user (`AIDA…`).
        case iamUser = "iam_user"
        /// The account's root user.
        case root
        /// A federated user (GetFederationToken): account and name.
        case federatedUser = "federated_user"
        /// An AWS service acting itself (lifecycle expiry, replication).
        case service
        /// An unsigned request.
        case anonymous
        /// A shape locktrail does not know: compared as text.
        case unrecognised
    }

    /// What kind of principal it is.
    public var kind: Kind
    /// The identity within the kind: the role or user id, the account, `account:name`, the service, or the text.
    public var id: String
    /// The role session name, when there is one; never part of the identity.
    public var session: String?
    /// The principal exactly as sent.
    public var raw: String

    /// Reads a `principalId`.
    public init(principalID raw: String) {
        self.raw = raw
        let text = raw.hasPrefix("AWS:") ? String(raw.dropFirst(4)) : raw
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let head = parts[0]
        let tail = parts.count > 1 ? parts[1] : nil
        session = nil
        if head.hasPrefix("AROA"), head.count > 4, Self.isUniqueID(head) {
            (kind, id, session) = (.assumedRole, head, tail)
        } else if head.hasPrefix("AIDA"), head.count > 4, Self.isUniqueID(head), tail == nil {
            (kind, id) = (.iamUser, head)
        } else if head.count == 12, head.allSatisfy(\.isASCIIDigit) {
            if let tail, !tail.isEmpty { (kind, id) = (.federatedUser, head + ":" + tail) } else { (kind, id) = (.root, head) }
        } else if tail == nil, head.hasSuffix(".amazonaws.com") || head.hasSuffix(".amazonaws.com.cn") {
            (kind, id) = (.service, head)
        } else if raw == "Anonymous" || raw == "anonymous" {
            (kind, id) = (.anonymous, "anonymous")
        } else {
            (kind, id) = (.unrecognised, raw)
        }
    }

    /// `kind:id`: equal exactly for the same principal.
    public var identity: String { kind.rawValue + ":" + id }

    /// The identity, and the session when there is one.
    public var description: String { identity + (session.map { " (session \($0))" } ?? "") }

    /// Whether `other` is the same principal: `.same` for the same identity (a role under another
    /// session included), `.different` only when both are known shapes whose identities differ,
    /// `.undetermined` when an unrecognised text differs (it might still be the same principal).
    public func compared(with other: AWSPrincipal) -> PrincipalComparison {
        if identity == other.identity { return .same }
        if kind == .unrecognised || other.kind == .unrecognised { return .undetermined }
        return .different
    }

    /// IAM unique ids: upper-case letters and digits after the four-letter prefix.
    private static func isUniqueID(_ text: String) -> Bool {
        text.utf8.allSatisfy { (65...90).contains($0) || (48...57).contains($0) }
    }
}

/// Whether two principals are the same identity.
public enum PrincipalComparison: String, Hashable, Sendable {
    /// The same identity.
    case same
    /// Two different identities: evidence that someone else acted.
    case different
    /// Cannot be told: no claim either way.
    case undetermined
}

private extension Character {
    /// Whether this is `0`–`9`.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
