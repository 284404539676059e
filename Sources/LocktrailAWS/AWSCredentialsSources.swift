import Dispatch
import Foundation
import LocktrailHTTP

/// The individual credential sources of the default chain; each returns nil when not configured.
enum CredentialSources {
    static let containerHost = "http://169.254.170.2"
    static let metadataEndpoint = "http://169.254.169.254"

    // MARK: Environment

    static func environment(_ environment: [String: String]) -> AWSCredentials? {
        guard let id = AWSConfiguration.nonEmpty(environment["AWS_ACCESS_KEY_ID"]),
            let secret = AWSConfiguration.nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
        else { return nil }
        return AWSCredentials(
            accessKeyID: id,
            secretAccessKey: secret,
            sessionToken: AWSConfiguration.nonEmpty(environment["AWS_SESSION_TOKEN"]),
            source: "environment"
        )
    }

    // MARK: Shared files

    static func profile(
        _ configuration: AWSConfiguration, transport: any HTTPTransport,
        processTimeout: Duration
    ) async throws -> AWSCredentials? {
        let profile = configuration.profile
        let source = "profile \(configuration.profileName)"
        if let id = AWSConfiguration.nonEmpty(profile["aws_access_key_id"]),
            let secret = AWSConfiguration.nonEmpty(profile["aws_secret_access_key"])
        {
            return AWSCredentials(
                accessKeyID: id,
                secretAccessKey: secret,
                sessionToken: AWSConfiguration.nonEmpty(profile["aws_session_token"]),
                source: source
            )
        }
        if let command = AWSConfiguration.nonEmpty(profile["credential_process"]) {
            return try await credentialProcess(command, source: source, environment: configuration.environment, timeout: processTimeout)
        }
        if let tokenFile = AWSConfiguration.nonEmpty(profile["web_identity_token_file"]) {
            return try await webIdentity(
                tokenFile: tokenFile,
                roleARN: profile["role_arn"],
                sessionName: profile["role_session_name"],
                configuration: configuration,
                transport: transport
            )
        }
        return nil
    }

    /// Runs `credential_process` through the shell, off the cooperative pool, and parses its JSON.
    /// A command still running after `timeout` is killed, with everything it started.
    static func credentialProcess(
        _ command: String, source: String, environment: [String: String],
        timeout: Duration
    ) async throws -> AWSCredentials {
        let label = "\(source) credential_process"
        let output: CredentialProcess.Outcome
        do {
            output = try await CredentialProcess.run(command, environment: environment, timeout: timeout)
        } catch let failure as CredentialProcess.Failure {
            // Never what it printed: a partial answer may already hold the secret.
            let reason =
                switch failure {
                case .timedOut:
                    "the command did not finish within \(Self.seconds(timeout)) and was stopped (is it waiting for input, such as an MFA code or a browser login?)"
                case .outputTooLarge: "the command printed more than \(CredentialProcess.outputLimit) bytes and was stopped"
                case .failed(let code): "the command could not be run (\(String(cString: strerror(code))))"
                }
            throw AWSCredentialsError.sourceFailed(source: label, reason: reason)
        }
        guard output.status == 0 else {
            throw AWSCredentialsError.sourceFailed(source: label, reason: "the command exited with status \(output.status)")
        }
        // The output holds the secret: errors below describe its shape, never its content.
        guard let object = try? JSONSerialization.jsonObject(with: Data(output.output)) as? [String: Any] else {
            throw AWSCredentialsError.sourceFailed(source: label, reason: "the command did not print a JSON object")
        }
        guard (object["Version"] as? Int) == 1 else {
            throw AWSCredentialsError.sourceFailed(source: label, reason: "the output's Version is not 1")
        }
        return try credentials(fromJSON: object, tokenKey: "SessionToken", source: label)
    }

    /// `30 s`, `0.5 s`: a timeout as a person reads it.
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = attoseconds / 1_000_000_000_000_000
        guard milliseconds > 0 else { return "\(seconds) s" }
        var fraction = String(1000 + milliseconds).dropFirst()
        while fraction.hasSuffix("0") { fraction = fraction.dropLast() }
        return "\(seconds).\(fraction) s"
    }

    // MARK: Web identity (STS AssumeRoleWithWebIdentity)

    static func webIdentity(
        tokenFile: String?,
        roleARN: String?,
        sessionName: String?,
        configuration: AWSConfiguration,
        transport: any HTTPTransport
    ) async throws -> AWSCredentials? {
        guard let tokenFile = AWSConfiguration.nonEmpty(tokenFile) else { return nil }
        let source = "web identity"
        guard let roleARN = AWSConfiguration.nonEmpty(roleARN) else {
            throw AWSCredentialsError.sourceFailed(source: source, reason: "a web identity token file is set but AWS_ROLE_ARN / role_arn is not")
        }
        guard let token = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
            throw AWSCredentialsError.sourceFailed(source: source, reason: "cannot read the token file \(tokenFile)")
        }
        let session = AWSConfiguration.nonEmpty(sessionName) ?? "locktrail-\(Int(Date().timeIntervalSince1970))"
        let endpoint = (try? configuration.endpoint(serviceID: "STS")) ?? "https://sts.amazonaws.com"
        let body = SigV4Signer.queryString([
            (name: "Action", value: "AssumeRoleWithWebIdentity"),
            (name: "Version", value: "2011-06-15"),
            (name: "RoleArn", value: roleARN),
            (name: "RoleSessionName", value: session),
            (name: "WebIdentityToken", value: token.trimmingCharacters(in: .whitespacesAndNewlines)),
        ])
        // AssumeRoleWithWebIdentity is unsigned: the token is the proof.
        let request = HTTPRequest(
            method: "POST",
            url: endpoint + "/",
            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": "application/xml"],
            body: Array(body.utf8),
            timeout: .seconds(30)
        )
        let response = try await transport.send(request)
        guard response.status == 200 else {
            let error = AWSError.parse(response: response, service: "sts", operation: "AssumeRoleWithWebIdentity", resource: roleARN)
            throw AWSCredentialsError.sourceFailed(source: source, reason: error.description)
        }
        let xml = response.bodyText
        guard let id = XMLElements.first("AccessKeyId", in: xml),
            let secret = XMLElements.first("SecretAccessKey", in: xml)
        else {
            throw AWSCredentialsError.sourceFailed(source: source, reason: "STS returned no credentials")
        }
        return AWSCredentials(
            accessKeyID: id,
            secretAccessKey: secret,
            sessionToken: XMLElements.first("SessionToken", in: xml),
            expiration: XMLElements.first("Expiration", in: xml).flatMap(AWSTimestamp.parse),
            source: "web identity \(roleARN)"
        )
    }

    // MARK: Container (ECS / EKS Pod Identity)

    static func container(_ environment: [String: String], transport: any HTTPTransport) async throws -> AWSCredentials? {
        let url: String
        if let relative = AWSConfiguration.nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
            url = containerHost + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = AWSConfiguration.nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"]) {
            url = full
        } else {
            return nil
        }
        let source = "container endpoint"
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if let tokenFile = AWSConfiguration.nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]) {
            guard let token = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw AWSCredentialsError.sourceFailed(source: source, reason: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile)")
            }
            headers.add(name: "Authorization", value: token.trimmingCharacters(in: .whitespacesAndNewlines))
        } else if let token = AWSConfiguration.nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]) {
            headers.add(name: "Authorization", value: token)
        }
        let response = try await transport.send(
            HTTPRequest(method: "GET", url: url, headers: headers, connectTimeout: .seconds(2), timeout: .seconds(5))
        )
        guard response.status == 200 else {
            throw AWSCredentialsError.sourceFailed(source: source, reason: "HTTP \(response.status) from \(CurlHTTPClient.host(of: url))")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw AWSCredentialsError.sourceFailed(source: source, reason: "the response is not a JSON object")
        }
        return try credentials(fromJSON: object, tokenKey: "Token", source: source)
    }

    // MARK: EC2 instance metadata (IMDSv2)

    static func instanceMetadata(_ environment: [String: String], transport: any HTTPTransport) async throws -> AWSCredentials? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        var endpoint = AWSConfiguration.nonEmpty(environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"]) ?? metadataEndpoint
        if endpoint.hasSuffix("/") { endpoint.removeLast() }
        let source = "EC2 instance metadata"
        // Short timeouts: off EC2 this address does not answer, and the chain must not hang.
        let tokenResponse = try await transport.send(
            HTTPRequest(
                method: "PUT",
                url: endpoint + "/latest/api/token",
                headers: ["X-aws-ec2-metadata-token-ttl-seconds": "21600"],
                connectTimeout: .seconds(1),
                timeout: .seconds(2)
            )
        )
        guard tokenResponse.status == 200 else {
            throw AWSCredentialsError.sourceFailed(source: source, reason: "token request returned HTTP \(tokenResponse.status)")
        }
        let token = tokenResponse.bodyText.trimmingCharacters(in: .whitespacesAndNewlines)
        let headers: HTTPHeaders = ["X-aws-ec2-metadata-token": token]
        let rolesURL = endpoint + "/latest/meta-data/iam/security-credentials/"
        let roles = try await transport.send(
            HTTPRequest(method: "GET", url: rolesURL, headers: headers, connectTimeout: .seconds(1), timeout: .seconds(2))
        )
        guard roles.status == 200,
            let role = roles.bodyText.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty
        else {
            // 404: the instance has no instance profile.
            return nil
        }
        let response = try await transport.send(
            HTTPRequest(method: "GET", url: rolesURL + role, headers: headers, connectTimeout: .seconds(1), timeout: .seconds(2))
        )
        guard response.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        else {
            throw AWSCredentialsError.sourceFailed(source: source, reason: "credentials request for role \(role) returned HTTP \(response.status)")
        }
        if let code = object["Code"] as? String, code != "Success" {
            throw AWSCredentialsError.sourceFailed(source: source, reason: "the metadata service reported \(code)")
        }
        return try credentials(fromJSON: object, tokenKey: "Token", source: "\(source) role \(role)")
    }

    // MARK: Shared JSON shape

    /// `{AccessKeyId, SecretAccessKey, <tokenKey>, Expiration}` as the process, container and IMDS sources return it.
    static func credentials(fromJSON object: [String: Any], tokenKey: String, source: String) throws -> AWSCredentials {
        guard let id = object["AccessKeyId"] as? String, !id.isEmpty,
            let secret = object["SecretAccessKey"] as? String, !secret.isEmpty
        else {
            throw AWSCredentialsError.sourceFailed(source: source, reason: "the response lacks AccessKeyId or SecretAccessKey")
        }
        var expiration: Date?
        if let text = object["Expiration"] as? String {
            guard let parsed = AWSTimestamp.parse(text) else {
                throw AWSCredentialsError.sourceFailed(source: source, reason: "Expiration '\(text)' is not an ISO 8601 time")
            }
            expiration = parsed
        }
        let token = (object[tokenKey] as? String) ?? (object["SessionToken"] as? String) ?? (object["Token"] as? String)
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token, expiration: expiration, source: source)
    }
}
