import Foundation

/// A terraform configuration with an S3 backend on the emulator, in its own folder. Its one
/// resource is `terraform_data` with a `local-exec` that sleeps `var.hold` seconds, so an apply
/// holds the state lock for as long as a test needs (terraform-locks.md §8).
public struct TerraformProject: Sendable {
    /// The working directory.
    public let directory: URL
    /// The backend bucket.
    public let bucket: String
    /// The backend key.
    public let key: String
    /// The environment terraform runs with.
    public let environment: [String: String]

    /// Writes the configuration. `dynamoDBTable` and/or `useLockfile` choose the lock mechanism;
    /// `dynamoDBEndpoint` sends terraform's DynamoDB calls elsewhere (a fault proxy), and
    /// `maxRetries` caps the AWS SDK's retries so a failure shows at once.
    public init(
        bucket: String, key: String = "app/terraform.tfstate", dynamoDBTable: String? = nil, useLockfile: Bool = false,
        workspaceKeyPrefix: String? = nil, dynamoDBEndpoint: String? = nil, maxRetries: Int? = nil
    ) throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("locktrail-tf-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.bucket = bucket
        self.key = key
        let endpoint = TestAWS.endpoint
        var backend = """
                bucket = "\(bucket)"
                key    = "\(key)"
                region = "us-east-1"
                endpoints = { s3 = "\(endpoint)", dynamodb = "\(dynamoDBEndpoint ?? endpoint)" }
                use_path_style = true
                skip_credentials_validation = true
                skip_requesting_account_id = true
                skip_metadata_api_check = true
                skip_region_validation = true
                access_key = "test"
                secret_key = "test"

            """
        if let dynamoDBTable { backend += "    dynamodb_table = \"\(dynamoDBTable)\"\n" }
        if useLockfile { backend += "    use_lockfile = true\n" }
        if let workspaceKeyPrefix { backend += "    workspace_key_prefix = \"\(workspaceKeyPrefix)\"\n" }
        if let maxRetries { backend += "    max_retries = \(maxRetries)\n" }
        let main = """
            terraform {
              backend "s3" {
            \(backend)  }
            }
            variable "hold" {
              type    = number
              default = 0
            }
            resource "terraform_data" "hold" {
              triggers_replace = timestamp()  # replaced on every apply, so the provisioner runs each time
              provisioner "local-exec" {
                command = "sleep ${var.hold}"
              }
            }

            """
        try main.write(to: directory.appendingPathComponent("main.tf"), atomically: true, encoding: .utf8)
        try "".write(to: directory.appendingPathComponent("terraformrc"), atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        env["TF_CLI_CONFIG_FILE"] = directory.appendingPathComponent("terraformrc").path
        env["CHECKPOINT_DISABLE"] = "1"
        env["TF_IN_AUTOMATION"] = "1"
        env["TF_INPUT"] = "0"
        env.removeValue(forKey: "TF_WORKSPACE")
        for (k, v) in TestAWS.environment where k != "HOME" { env[k] = v }
        environment = env
    }

    /// Starts `terraform ARGS` in the project folder.
    public func start(_ arguments: [String], extraEnvironment: [String: String] = [:], program: String = "terraform") throws -> Spawned {
        try Spawned([program] + arguments, environment: environment.merging(extraEnvironment) { _, new in new }, directory: directory)
    }

    /// Runs `terraform ARGS` to completion; returns its exit status and output.
    @discardableResult
    public func run(_ arguments: [String], extraEnvironment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let process = try start(arguments, extraEnvironment: extraEnvironment)
        let status = await process.wait()
        return (status, process.output)
    }

    /// `terraform init`, failing loudly.
    public func initialize() async throws {
        let (status, output) = try await run(["init", "-input=false", "-no-color"])
        guard status == 0 else { throw TerraformFailure(command: "init", output: output) }
    }
}

/// A terraform command that should have succeeded.
public struct TerraformFailure: Error, CustomStringConvertible {
    /// The command.
    public var command: String
    /// What it printed.
    public var output: String
    /// A failure of `command` that printed `output`.
    public init(command: String, output: String) {
        self.command = command
        self.output = output
    }
    public var description: String { "terraform \(command) failed:\n\(output)" }
}
