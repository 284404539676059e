import LocktrailCore
import Testing

@Suite("State identity (terraform-locks.md §1)")
struct StateIdentityTests {
    // (layout prefix, base key, workspace, state key)
    static let layouts: [(String, String, String, String)] = [
        ("env:", "app/terraform.tfstate", "default", "app/terraform.tfstate"),
        ("env:", "app/terraform.tfstate", "dev", "env:/dev/app/terraform.tfstate"),
        ("ws", "app/terraform.tfstate", "dev", "ws/dev/app/terraform.tfstate"),
        ("", "app/terraform.tfstate", "dev", "dev/app/terraform.tfstate"),
        ("", "app/terraform.tfstate", "default", "app/terraform.tfstate"),
        ("team/envs", "net.tfstate", "prod", "team/envs/prod/net.tfstate"),
    ]

    @Test("names derived from bucket, key and workspace", arguments: layouts)
    func derivedNames(_ prefix: String, _ baseKey: String, _ workspace: String, _ stateKey: String) throws {
        let layout = WorkspaceLayout(prefix: prefix)
        let state = StateIdentity(bucket: "my-bucket", baseKey: baseKey, workspace: workspace, layout: layout)
        #expect(state.key == stateKey)
        #expect(state.lockPath == "my-bucket/" + stateKey)
        #expect(state.lockFileKey == stateKey + ".tflock")
        #expect(state.digestLockID == "my-bucket/" + stateKey + "-md5")

        // And back: with the base key known every layout is unambiguous.
        let known = WorkspaceLayout(prefix: prefix, baseKey: baseKey)
        let back = try #require(StateIdentity(lockPath: "my-bucket/" + stateKey, layout: known))
        #expect(back.workspace == workspace)
        #expect(back.baseKey == baseKey)
        let fromLockFile = try #require(StateIdentity(bucket: "my-bucket", lockFileKey: stateKey + ".tflock", layout: known))
        #expect(fromLockFile.lockPath == "my-bucket/" + stateKey)
        #expect(fromLockFile.workspace == workspace)
    }

    @Test(
        "the default env: prefix needs no base key",
        arguments: [
            ("my-bucket/app/terraform.tfstate", "default", "app/terraform.tfstate"),
            ("my-bucket/env:/dev/app/terraform.tfstate", "dev", "app/terraform.tfstate"),
            ("my-bucket/env:/prod-eu/terraform.tfstate", "prod-eu", "terraform.tfstate"),
        ])
    func standardPrefix(_ lockPath: String, _ workspace: String, _ baseKey: String) throws {
        let state = try #require(StateIdentity(lockPath: lockPath))
        #expect(state.bucket == "my-bucket")
        #expect(state.workspace == workspace)
        #expect(state.baseKey == baseKey)
    }

    @Test("an empty prefix without the base key cannot tell a workspace from a folder")
    func emptyPrefixAmbiguity() throws {
        let state = try #require(StateIdentity(lockPath: "b/dev/app.tfstate", layout: WorkspaceLayout(prefix: "")))
        #expect(state.workspace == nil)
        #expect(state.lockPath == "b/dev/app.tfstate")
    }

    @Test(
        "DynamoDB LockIDs: lock items and -md5 digest items",
        arguments: [
            ("my-bucket/app/terraform.tfstate", false, "my-bucket/app/terraform.tfstate", "default"),
            ("my-bucket/app/terraform.tfstate-md5", true, "my-bucket/app/terraform.tfstate", "default"),
            ("my-bucket/env:/dev/app/terraform.tfstate", false, "my-bucket/env:/dev/app/terraform.tfstate", "dev"),
            ("my-bucket/env:/dev/app/terraform.tfstate-md5", true, "my-bucket/env:/dev/app/terraform.tfstate", "dev"),
        ])
    func dynamoDBKeys(_ lockID: String, _ isDigest: Bool, _ lockPath: String, _ workspace: String) throws {
        let key = try #require(DynamoDBLockKey(lockID: lockID))
        if case .digest = key { #expect(isDigest) } else { #expect(!isDigest) }
        #expect(key.state.lockPath == lockPath)
        #expect(key.state.workspace == workspace)
    }

    @Test("malformed names are refused", arguments: ["", "no-slash", "/key", "bucket/"])
    func malformed(_ lockPath: String) {
        #expect(StateIdentity(lockPath: lockPath) == nil)
        #expect(DynamoDBLockKey(lockID: lockPath) == nil)
    }

    @Test("a key that is not a lock file is refused")
    func notALockFile() {
        #expect(StateIdentity(bucket: "b", lockFileKey: "app/terraform.tfstate") == nil)
        #expect(StateIdentity(bucket: "b", lockFileKey: ".tflock") == nil)
    }
}
