/// Who ran what, where, for which state: what a wrapped terraform run reports about itself.
/// Built from the environment, the arguments and the files of `.terraform/`, all passed in.
public struct RunContext: Hashable, Sendable {
    /// The local user.
    public var user: String?
    /// The host name.
    public var host: String?
    /// The `Who` string terraform writes into its lock records: `user@host`.
    public var who: String { (user ?? "") + "@" + (host ?? "") }
    /// The program (`terraform`, `tofu`, `terragrunt`).
    public var program: String
    /// The arguments, with secret values replaced by `***`.
    public var arguments: [String]
    /// The terraform subcommand (`apply`, `plan`, `force-unlock`, …), if any.
    public var subcommand: String?
    /// The working directory terraform runs in (after `-chdir`).
    public var directory: String
    /// The CI system and its facts (run id, job URL, commit, actor), if any.
    public var ci: CIContext?
    /// The S3 backend as `terraform init` recorded it, if any.
    public var backend: BackendSettings?
    /// The workspace: `TF_WORKSPACE`, else `.terraform/environment`, else `default`.
    public var workspace: String
    /// The state's lock path `bucket/key`, when the backend is S3.
    public var statePath: String? {
        guard let backend else { return nil }
        return StateIdentity(
            bucket: backend.bucket, baseKey: backend.key, workspace: workspace,
            layout: WorkspaceLayout(prefix: backend.workspaceKeyPrefix ?? "env:")
        ).lockPath
    }

    /// Reads the context. `readFile` returns a file's contents relative to the working directory.
    public init(
        program: String, arguments: [String], environment: [String: String], user: String?, host: String?,
        currentDirectory: String, readFile: (String) -> String?
    ) {
        self.user = user
        self.host = host
        self.program = program
        self.arguments = Self.redact(arguments)
        var directory = currentDirectory
        var subcommand: String?
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            if argument.hasPrefix("-chdir=") {
                let target = String(argument.dropFirst("-chdir=".count))
                directory = target.hasPrefix("/") ? target : currentDirectory + "/" + target
            } else if !argument.hasPrefix("-"), subcommand == nil {
                subcommand = argument
            }
        }
        self.subcommand = subcommand
        self.directory = directory
        self.ci = CIContext(environment: environment)
        let dataDirectory = environment["TF_DATA_DIR"].map { $0.hasPrefix("/") ? $0 : directory + "/" + $0 } ?? directory + "/.terraform"
        self.backend = readFile(dataDirectory + "/terraform.tfstate").flatMap(BackendSettings.init(terraformStateFile:))
        if let ws = environment["TF_WORKSPACE"], !ws.isEmpty {
            workspace = ws
        } else if let file = readFile(dataDirectory + "/environment") {
            let ws = String(file.unicodeScalars.filter { !" \t\r\n".unicodeScalars.contains($0) })
            workspace = ws.isEmpty ? "default" : ws
        } else {
            workspace = "default"
        }
    }

    /// Arguments with the values of `-var`, `-backend-config` and anything that looks like a
    /// credential replaced by `***` (the name of a variable or backend setting is kept: it says
    /// what was set). Terraform parses flags with Go's `flag` package, so each flag comes in four
    /// spellings — `-var x=1`, `-var=x=1`, `--var x=1`, `--var=x=1` — and all of them are redacted.
    public static func redact(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var redactNext = false
        for argument in arguments {
            if redactNext {
                out.append(redactValue(argument))
                redactNext = false
            } else if isSecretFlag(argument) {
                out.append(argument)
                redactNext = true
            } else if let eq = argument.firstIndex(of: "="), isSecretFlag(argument[..<eq]) {
                out.append(argument[...eq] + redactValue(argument[argument.index(after: eq)...]))
            } else if looksSecret(argument) {
                out.append("***")
            } else {
                out.append(argument)
            }
        }
        return out
    }

    /// `-var`, `--var`, `-backend-config`, `--backend-config`: Go's flag package accepts one
    /// dash or two, nothing else.
    static func isSecretFlag(_ spelling: some StringProtocol) -> Bool {
        ["-var", "--var", "-backend-config", "--backend-config"].contains(String(spelling))
    }

    /// `name=value` → `name=***`; anything else (a backend file, a malformed `-var`) → `***`.
    static func redactValue(_ text: some StringProtocol) -> String {
        if let eq = text.firstIndex(of: "=") { return String(text[...eq]) + "***" }
        return "***"
    }

    /// AWS key ids, long base64/hex tokens, and `password=`/`token=`/`secret=` assignments.
    static func looksSecret(_ argument: String) -> Bool {
        let lower = argument.lowercased()
        for marker in ["password=", "passwd=", "token=", "secret=", "secret_key=", "access_key=", "private_key="] where lower.contains(marker) {
            return true
        }
        for prefix in ["AKIA", "ASIA"]
        where argument.hasPrefix(prefix) && argument.count == 20 && argument.allSatisfy({ $0.isUppercase || $0.isNumber }) {
            return true
        }
        if LockRecordParse.isTerraformLockID(argument) { return false }  // force-unlock's argument
        if argument.count >= 32, !argument.contains("/"), !argument.hasPrefix("-"),
            argument.allSatisfy({ $0.isLetter || $0.isNumber || "+=_-".contains($0) }),
            argument.contains(where: \.isNumber), argument.contains(where: \.isLetter)
        {
            return true
        }
        return false
    }
}

/// The S3 backend settings `terraform init` recorded in `.terraform/terraform.tfstate`.
public struct BackendSettings: Hashable, Sendable {
    /// `bucket`.
    public var bucket: String
    /// `key`.
    public var key: String
    /// `workspace_key_prefix`, if set.
    public var workspaceKeyPrefix: String?
    /// `dynamodb_table`, if set.
    public var dynamoDBTable: String?
    /// `use_lockfile`.
    public var useLockfile: Bool
    /// `region`, if set.
    public var region: String?

    /// Reads the file; nil unless it describes an S3 backend with bucket and key.
    public init?(terraformStateFile text: String) {
        guard let root = try? JSONParser.parse(text), root["backend"]?["type"]?.stringValue == "s3",
            let config = root["backend"]?["config"], let bucket = config["bucket"]?.stringValue,
            let key = config["key"]?.stringValue
        else { return nil }
        self.bucket = bucket
        self.key = key
        self.workspaceKeyPrefix = config["workspace_key_prefix"]?.stringValue
        self.dynamoDBTable = config["dynamodb_table"]?.stringValue
        if case .bool(let b)? = config["use_lockfile"] { useLockfile = b } else { useLockfile = false }
        self.region = config["region"]?.stringValue
    }

    /// The settings as event details.
    public var json: JSONValue {
        [
            "bucket": .string(bucket), "key": .string(key), "workspace_key_prefix": .optional(workspaceKeyPrefix),
            "dynamodb_table": .optional(dynamoDBTable), "use_lockfile": .bool(useLockfile), "region": .optional(region),
        ]
    }
}

/// The CI system a run happens in, read from its usual environment variables.
public struct CIContext: Hashable, Sendable {
    /// `github-actions`, `gitlab-ci`, `jenkins`, `circleci`, `buildkite`, `atlantis`.
    public var system: String
    /// The pipeline/build/run id.
    public var runID: String?
    /// A link to the job.
    public var url: String?
    /// The commit.
    public var commit: String?
    /// Who triggered it.
    public var actor: String?
    /// The repository or project.
    public var repository: String?

    /// The CI context of `environment`, or nil outside CI.
    public init?(environment e: [String: String]) {
        func v(_ name: String) -> String? { e[name].flatMap { $0.isEmpty ? nil : $0 } }
        if v("ATLANTIS_TERRAFORM_VERSION") != nil || (v("PULL_NUM") != nil && v("BASE_REPO_NAME") != nil) {
            system = "atlantis"; runID = v("PULL_NUM").map { "pr-" + $0 }; url = v("PULL_URL"); commit = v("HEAD_COMMIT")
            actor = v("USER_NAME"); repository = [v("BASE_REPO_OWNER"), v("BASE_REPO_NAME")].compactMap { $0 }.joined(separator: "/")
        } else if v("GITHUB_ACTIONS") == "true" {
            system = "github-actions"; runID = v("GITHUB_RUN_ID"); commit = v("GITHUB_SHA"); actor = v("GITHUB_ACTOR")
            repository = v("GITHUB_REPOSITORY")
            if let server = v("GITHUB_SERVER_URL"), let repo = v("GITHUB_REPOSITORY"), let run = v("GITHUB_RUN_ID") {
                url = "\(server)/\(repo)/actions/runs/\(run)"
            }
        } else if v("GITLAB_CI") != nil {
            system = "gitlab-ci"; runID = v("CI_JOB_ID") ?? v("CI_PIPELINE_ID"); url = v("CI_JOB_URL"); commit = v("CI_COMMIT_SHA")
            actor = v("GITLAB_USER_LOGIN"); repository = v("CI_PROJECT_PATH")
        } else if v("BUILDKITE") == "true" {
            system = "buildkite"; runID = v("BUILDKITE_BUILD_ID"); url = v("BUILDKITE_BUILD_URL"); commit = v("BUILDKITE_COMMIT")
            actor = v("BUILDKITE_BUILD_CREATOR"); repository = v("BUILDKITE_REPO")
        } else if v("CIRCLECI") == "true" {
            system = "circleci"; runID = v("CIRCLE_WORKFLOW_ID") ?? v("CIRCLE_BUILD_NUM"); url = v("CIRCLE_BUILD_URL")
            commit = v("CIRCLE_SHA1"); actor = v("CIRCLE_USERNAME")
            repository = [v("CIRCLE_PROJECT_USERNAME"), v("CIRCLE_PROJECT_REPONAME")].compactMap { $0 }.joined(separator: "/")
        } else if v("JENKINS_URL") != nil {
            system = "jenkins"; runID = v("BUILD_TAG") ?? v("BUILD_ID"); url = v("BUILD_URL"); commit = v("GIT_COMMIT")
            actor = v("BUILD_USER_ID"); repository = v("GIT_URL")
        } else {
            return nil
        }
    }

    /// The context as event details.
    public var json: JSONValue {
        [
            "system": .string(system), "run_id": .optional(runID), "url": .optional(url), "commit": .optional(commit),
            "actor": .optional(actor), "repository": .optional(repository),
        ]
    }
}
