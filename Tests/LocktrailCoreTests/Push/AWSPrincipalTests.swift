import LocktrailCore
import Testing

@Suite("S3 principals as identities")
struct AWSPrincipalTests {
    @Test(
        "the shapes S3 sends in userIdentity.principalId",
        arguments: [
            ("AWS:AROAEXAMPLEID:terraform-run-1", AWSPrincipal.Kind.assumedRole, "AROAEXAMPLEID", "terraform-run-1"),
            ("AWS:AROAU2FZ7C33NJPFFK35W:alice@example.com", .assumedRole, "AROAU2FZ7C33NJPFFK35W", "alice@example.com"),
            ("AWS:AROAEXAMPLEID:i-0abc123def4567890", .assumedRole, "AROAEXAMPLEID", "i-0abc123def4567890"),
            ("AWS:AIDAJDPLRKLG7UEXAMPLE", .iamUser, "AIDAJDPLRKLG7UEXAMPLE", nil),
            ("AIDAJDPLRKLG7UEXAMPLE", .iamUser, "AIDAJDPLRKLG7UEXAMPLE", nil),
            ("AWS:123456789012", .root, "123456789012", nil),
            ("AWS:123456789012:bob", .federatedUser, "123456789012:bob", nil),
            ("s3.amazonaws.com", .service, "s3.amazonaws.com", nil),
            ("AWS:s3.amazonaws.com", .service, "s3.amazonaws.com", nil),
            ("Anonymous", .anonymous, "anonymous", nil),
            ("A3NL1KOZZKExample", .unrecognised, "A3NL1KOZZKExample", nil),
        ] as [(String, AWSPrincipal.Kind, String, String?)])
    func parse(raw: String, kind: AWSPrincipal.Kind, id: String, session: String?) {
        let principal = AWSPrincipal(principalID: raw)
        #expect(principal.kind == kind)
        #expect(principal.id == id)
        #expect(principal.session == session)
        #expect(principal.raw == raw)
    }

    @Test(
        "the same role under another session is the same principal; different only when both are known and differ",
        arguments: [
            ("AWS:AROAEXAMPLEID:session-a", "AWS:AROAEXAMPLEID:session-b", PrincipalComparison.same),
            ("AWS:AROAEXAMPLEID:session-a", "AWS:AROAEXAMPLEID:session-a", .same),
            ("AWS:AROAEXAMPLEID:session-a", "AWS:AROAOTHERROLE:session-a", .different),
            ("AWS:AROAEXAMPLEID:session-a", "AWS:AIDAJDPLRKLG7UEXAMPLE", .different),
            ("AWS:AIDAJDPLRKLG7UEXAMPLE", "AIDAJDPLRKLG7UEXAMPLE", .same),
            ("AWS:AIDAJDPLRKLG7UEXAMPLE", "AWS:AIDAOTHERUSER", .different),
            ("AWS:123456789012", "AWS:AIDAJDPLRKLG7UEXAMPLE", .different),
            ("AWS:AROAEXAMPLEID:session-a", "s3.amazonaws.com", .different),  // lifecycle expiry removed it
            ("A3NL1KOZZKExample", "A3NL1KOZZKExample", .same),
            ("A3NL1KOZZKExample", "AWS:AIDAJDPLRKLG7UEXAMPLE", .undetermined),
            ("A3NL1KOZZKExample", "B4OTHERCANONICAL", .undetermined),
        ])
    func compare(a: String, b: String, expected: PrincipalComparison) {
        #expect(AWSPrincipal(principalID: a).compared(with: AWSPrincipal(principalID: b)) == expected)
        #expect(AWSPrincipal(principalID: b).compared(with: AWSPrincipal(principalID: a)) == expected)
    }
}
