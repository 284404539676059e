import LocktrailCore
import Testing

@Suite("What a wrapped run reports about itself")
struct RunContextTests {
    static let backend =
        #"{"version":3,"terraform_version":"1.11.4","backend":{"type":"s3","config":{"bucket":"corp-state","key":"network/terraform.tfstate","region":"eu-west-1","dynamodb_table":"locks","use_lockfile":true,"workspace_key_prefix":null},"hash":1}}"#

    static func context(_ arguments: [String], environment: [String: String] = [:], files: [String: String] = [:]) -> RunContext {
        RunContext(
            program: "terraform", arguments: arguments, environment: environment, user: "alice", host: "build-01",
            currentDirectory: "/src/infra", readFile: { files[$0] })
    }

    @Test(
        "backend and workspace name the state exactly as the lock does",
        arguments: [
            ([:], nil as String?, "corp-state/network/terraform.tfstate", "default"),
            (["TF_WORKSPACE": "prod"], nil, "corp-state/env:/prod/network/terraform.tfstate", "prod"),
            ([:], "staging\n", "corp-state/env:/staging/network/terraform.tfstate", "staging"),
        ])
    func statePath(_ environment: [String: String], _ environmentFile: String?, _ path: String, _ workspace: String) {
        var files = ["/src/infra/.terraform/terraform.tfstate": Self.backend]
        if let environmentFile { files["/src/infra/.terraform/environment"] = environmentFile }
        let c = Self.context(["apply", "-auto-approve"], environment: environment, files: files)
        #expect(c.statePath == path)
        #expect(c.workspace == workspace)
        #expect(c.who == "alice@build-01")
        #expect(c.subcommand == "apply")
        #expect(c.backend?.dynamoDBTable == "locks")
        #expect(c.backend?.useLockfile == true)
    }

    @Test("-chdir moves where .terraform is read")
    func chdir() {
        let c = Self.context(["-chdir=envs/prod", "plan"], files: ["/src/infra/envs/prod/.terraform/terraform.tfstate": Self.backend])
        #expect(c.directory == "/src/infra/envs/prod")
        #expect(c.subcommand == "plan")
        #expect(c.statePath == "corp-state/network/terraform.tfstate")
    }

    @Test(
        "secret values are redacted, names kept",
        arguments: [
            // Every spelling Go's flag package accepts: one or two dashes, value after `=` or next.
            (["apply", "-var", "db_password=hunter2"], ["apply", "-var", "db_password=***"]),
            (["apply", "--var", "db_password=hunter2"], ["apply", "--var", "db_password=***"]),
            (["apply", "-var=token=abc"], ["apply", "-var=token=***"]),
            (["apply", "--var=token=abc"], ["apply", "--var=token=***"]),
            (["apply", "-var", "region=eu", "-var", "key=k"], ["apply", "-var", "region=***", "-var", "key=***"]),
            (["apply", "-var", "malformed"], ["apply", "-var", "***"]),
            (["init", "-backend-config=secret_key=xyz"], ["init", "-backend-config=secret_key=***"]),
            (["init", "--backend-config=secret_key=xyz"], ["init", "--backend-config=secret_key=***"]),
            (["init", "-backend-config", "access_key=xyz"], ["init", "-backend-config", "access_key=***"]),
            (["init", "--backend-config", "access_key=xyz"], ["init", "--backend-config", "access_key=***"]),
            (["init", "-backend-config", "backend.hcl"], ["init", "-backend-config", "***"]),
            (["init", "-backend-config=backend.hcl"], ["init", "-backend-config=***"]),
            (["init", "-backend-config=conn_str=postgres://u:pw@h/db"], ["init", "-backend-config=conn_str=***"]),
            // Look-alikes are not the flags: left as they are.
            (["apply", "-var-file=prod.tfvars"], ["apply", "-var-file=prod.tfvars"]),
            (["apply", "---var=x=1"], ["apply", "---var=x=1"]),
            (["apply", "AKIAIOSFODNN7EXAMPLE"], ["apply", "***"]),
            (["apply", "password=pw"], ["apply", "***"]),
            (
                ["force-unlock", "-force", "0716df6d-9fd1-92f0-0ac3-d92228d9ff22"],
                ["force-unlock", "-force", "0716df6d-9fd1-92f0-0ac3-d92228d9ff22"]
            ),
            (["plan", "-out=plan.tfplan", "-target=module.net"], ["plan", "-out=plan.tfplan", "-target=module.net"]),
        ])
    func redaction(_ arguments: [String], _ expected: [String]) {
        #expect(RunContext.redact(arguments) == expected)
    }

    @Test(
        "CI systems",
        arguments: [
            (
                [
                    "GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "42", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r",
                    "GITHUB_SHA": "abc", "GITHUB_ACTOR": "bob",
                ],
                "github-actions", "42", "https://github.com/o/r/actions/runs/42", "abc"
            ),
            (
                ["GITLAB_CI": "true", "CI_JOB_ID": "7", "CI_JOB_URL": "https://gl/j/7", "CI_COMMIT_SHA": "def"], "gitlab-ci", "7", "https://gl/j/7",
                "def"
            ),
            (
                ["JENKINS_URL": "https://j", "BUILD_TAG": "jenkins-x-9", "BUILD_URL": "https://j/9", "GIT_COMMIT": "f00"], "jenkins", "jenkins-x-9",
                "https://j/9", "f00"
            ),
            (
                ["CIRCLECI": "true", "CIRCLE_BUILD_NUM": "3", "CIRCLE_BUILD_URL": "https://c/3", "CIRCLE_SHA1": "c1"], "circleci", "3", "https://c/3",
                "c1"
            ),
            (
                ["BUILDKITE": "true", "BUILDKITE_BUILD_ID": "b-1", "BUILDKITE_BUILD_URL": "https://bk/1", "BUILDKITE_COMMIT": "bb"], "buildkite",
                "b-1", "https://bk/1", "bb"
            ),
            (
                [
                    "ATLANTIS_TERRAFORM_VERSION": "1.11.4", "PULL_NUM": "12", "PULL_URL": "https://gh/pr/12", "HEAD_COMMIT": "aa",
                    "BASE_REPO_OWNER": "o", "BASE_REPO_NAME": "r",
                ],
                "atlantis", "pr-12", "https://gh/pr/12", "aa"
            ),
        ])
    func ci(_ environment: [String: String], _ system: String, _ runID: String, _ url: String, _ commit: String) throws {
        let ci = try #require(CIContext(environment: environment))
        #expect(ci.system == system)
        #expect(ci.runID == runID)
        #expect(ci.url == url)
        #expect(ci.commit == commit)
    }

    @Test("outside CI there is no CI context")
    func noCI() {
        #expect(CIContext(environment: ["HOME": "/root"]) == nil)
    }
}
