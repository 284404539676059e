/// "Removed by someone else": a lock file removed by another principal than the one that
/// created it was force-removed, as the bucket's event notifications show (`principal_id` in the
/// details of the `s3-lockfile` acquire and release, from `userIdentity.principalId`).
///
/// Conservative: principals are compared as identities (`AWSPrincipal`: an assumed role under
/// another session is the same principal), and only IAM principals count — roles, users, the
/// root user, federated users. The same principal, a principal missing on either side, an
/// unrecognised shape, an AWS service (a lifecycle expiry) or an anonymous request: no claim.
/// A release by replacement (a new version over the lock file) is never compared.
public enum PrincipalRule {
    /// The kinds of principal whose difference is evidence.
    static let identities: Set<AWSPrincipal.Kind> = [.assumedRole, .iamUser, .root, .federatedUser]

    /// The creation and removal whose principals differ, if the lock's events show one.
    public static func removedByAnother(
        _ sightings: [SequencedEvent]
    )
        -> (creation: SequencedEvent, removal: SequencedEvent, creator: AWSPrincipal, remover: AWSPrincipal)?
    {
        func principal(_ e: SequencedEvent) -> AWSPrincipal? {
            guard e.event.mechanism == .s3Lockfile, let text = e.event.details["principal_id"]?.stringValue, !text.isEmpty else { return nil }
            let p = AWSPrincipal(principalID: text)
            return identities.contains(p.kind) ? p : nil
        }
        guard let creation = sightings.first(where: { $0.event.kind == .lockAcquired && principal($0) != nil }),
            let creator = principal(creation)
        else { return nil }
        for removal in sightings where removal.event.kind == .lockReleased && removal.event.details["reason"]?.stringValue != "replaced" {
            guard let remover = principal(removal) else { continue }
            if creator.compared(with: remover) == .different { return (creation, removal, creator, remover) }
        }
        return nil
    }

    /// Whether `creator` and `remover` (raw `principalId`s, nil when not sent) prove a removal by
    /// someone else: the rule on two texts, for tables of cases.
    public static func proves(creator: String?, remover: String?) -> Bool {
        guard let creator, let remover else { return false }
        let (a, b) = (AWSPrincipal(principalID: creator), AWSPrincipal(principalID: remover))
        return identities.contains(a.kind) && identities.contains(b.kind) && a.compared(with: b) == .different
    }
}
