import Foundation
import LocktrailAWS
import LocktrailHTTP
import Synchronization
import Testing

@Suite("AWS credentials: chain order, sources, caching, redaction")
struct AWSCredentialsTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    /// A transport that fails the test if any credential source touches the network.
    static let offline = ScriptedTransport { request, _ in
        throw HTTPTransportError(kind: .connectionFailed, host: CurlHTTPClientHost.of(request.url), detail: "offline in this test")
    }

    /// Isolates a test from the machine's own ~/.aws and metadata service.
    static func baseEnvironment(_ directory: TemporaryDirectory) -> [String: String] {
        [
            "HOME": directory.path,
            "AWS_CONFIG_FILE": directory.path + "/config",
            "AWS_SHARED_CREDENTIALS_FILE": directory.path + "/credentials",
            "AWS_EC2_METADATA_DISABLED": "true",
        ]
    }

    static func resolve(_ environment: [String: String], transport: any HTTPTransport = offline) async throws -> AWSCredentials {
        let configuration = try AWSConfiguration.resolve(environment: environment)
        return try await DefaultCredentialsProvider(configuration: configuration, transport: transport).credentials()
    }

    @Test("environment beats the shared files")
    func environmentFirst() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        try directory.write("credentials", "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file-secret\n")
        var environment = Self.baseEnvironment(directory)
        environment["AWS_ACCESS_KEY_ID"] = "AKIAENV"
        environment["AWS_SECRET_ACCESS_KEY"] = "env-secret"
        environment["AWS_SESSION_TOKEN"] = "env-token"
        let credentials = try await Self.resolve(environment)
        #expect(credentials.accessKeyID == "AKIAENV")
        #expect(credentials.sessionToken == "env-token")
        #expect(credentials.source == "environment")
    }

    @Test("AWS_PROFILE selects [x] in credentials and [profile x] in config; credentials file wins")
    func profiles() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        try directory.write(
            "credentials",
            "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s1\n[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s2\n"
        )
        try directory.write(
            "config",
            "[profile dev]\nregion = eu-west-1\naws_access_key_id = AKIAIGNORED\n[profile cfg]\naws_access_key_id = AKIACFG\naws_secret_access_key = s3\naws_session_token = t3\n"
        )
        var environment = Self.baseEnvironment(directory)
        #expect(try await Self.resolve(environment).accessKeyID == "AKIADEFAULT")
        environment["AWS_PROFILE"] = "dev"
        let dev = try await Self.resolve(environment)
        #expect(dev.accessKeyID == "AKIADEV")
        #expect(dev.source == "profile dev")
        #expect(try AWSConfiguration.resolve(environment: environment).region == "eu-west-1")
        environment["AWS_PROFILE"] = "cfg"
        let cfg = try await Self.resolve(environment)
        #expect(cfg.accessKeyID == "AKIACFG")
        #expect(cfg.sessionToken == "t3")
    }

    @Test("credential_process output is parsed, including Expiration")
    func credentialProcess() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let json =
            #"{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "proc-secret", "SessionToken": "proc-token", "Expiration": "2030-01-02T03:04:05Z"}"#
        let script = try directory.write("creds.sh", "#!/bin/sh\ncat <<'EOF'\n\(json)\nEOF\n")
        try directory.write("config", "[default]\ncredential_process = /bin/sh \(script)\n")
        let credentials = try await Self.resolve(Self.baseEnvironment(directory))
        #expect(credentials.accessKeyID == "AKIAPROC")
        #expect(credentials.sessionToken == "proc-token")
        #expect(credentials.expiration == Date(timeIntervalSince1970: 1_893_553_445))

        try directory.write("config", "[default]\ncredential_process = /bin/sh -c 'echo not-json; exit 0'\n")
        let error = await #expect(throws: AWSCredentialsError.self) { try await Self.resolve(Self.baseEnvironment(directory)) }
        #expect(error?.description.contains("credential_process") == true)
    }

    /// Processes (and their children) whose environment holds `marker`: the test gives the
    /// credential process a marker of its own, so it finds exactly what that process started.
    static func processes(withMarker marker: String) -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { $0.allSatisfy(\.isNumber) } ?? []
        return pids.filter { pid in
            // procfs files claim size 0, which Foundation's readers take at its word: read(2) them.
            let fd = open("/proc/\(pid)/environ", O_RDONLY)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            var environ: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while case let count = read(fd, &buffer, buffer.count), count > 0 { environ += buffer[..<count] }
            return environ.split(separator: 0).contains { $0.elementsEqual(Array("LOCKTRAIL_TEST_MARKER=\(marker)".utf8)) }
        }
    }

    /// Serialized: each case scans /proc on the cooperative pool while its command runs, and
    /// four at once would starve the very credential lookup they are waiting for. The timeout is
    /// 10 s because under the whole suite on 2 cores the lookup may wait seconds for a thread.
    @Test(
        "a credential_process that hangs is stopped after the timeout, with what it started, and the error names the profile",
        .serialized,
        arguments: [
            "sleep 600",
            "sleep 600; echo never",  // the shell waits for a child: the whole group is killed
            #"echo '{"Version": 1, "AccessKeyId": "AKIAPARTIAL", "SecretAccessKey": "half-printed-secret",'; sleep 600"#,
            "sleep 600 & sleep 600 & wait",
        ])
    func credentialProcessTimesOut(_ command: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        try directory.write("config", "[profile slow-sso]\ncredential_process = \(command)\n")
        var environment = Self.baseEnvironment(directory)
        environment["AWS_PROFILE"] = "slow-sso"
        let marker = UUID().uuidString
        environment["LOCKTRAIL_TEST_MARKER"] = marker
        let configuration = try AWSConfiguration.resolve(environment: environment)
        let provider = DefaultCredentialsProvider(configuration: configuration, transport: Self.offline, processTimeout: .seconds(10))

        let started = ContinuousClock.now
        let finished = Mutex(false)
        let attempt = Task {
            defer { finished.withLock { $0 = true } }
            return try await provider.credentials()
        }
        // Seen while it runs: otherwise "nothing left running" below would prove nothing. Looked
        // for until the attempt ends, however long the busy machine takes to start it.
        var seen: Duration?
        while seen == nil, !finished.withLock({ $0 }), started.duration(to: .now) < .seconds(80) {
            if !Self.processes(withMarker: marker).isEmpty { seen = started.duration(to: .now) }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(seen != nil, "the command never showed up in /proc")
        let error = await #expect(throws: AWSCredentialsError.self) { try await attempt.value }
        let elapsed = started.duration(to: .now)
        // Generous above: a busy machine (CI on 2 cores) may be slow to kill and reap.
        #expect(elapsed >= .seconds(10) && elapsed < .seconds(90), "\(elapsed), seen after \(String(describing: seen))")
        let description = try #require(error?.description)
        #expect(description.contains("profile slow-sso credential_process"), "\(description)")
        #expect(description.contains("did not finish within 10 s"), "\(description)")
        #expect(!description.contains("AKIAPARTIAL") && !description.contains("half-printed-secret"), "\(description)")
        // Killed and reaped: nothing it started is left running. A SIGKILLed process's exit is
        // the kernel's to finish; on a busy machine its grandchildren can still be on their way
        // out when the error returns, so allow them a few seconds (they never outlive a kill).
        let killed = ContinuousClock.now
        while !Self.processes(withMarker: marker).isEmpty, killed.duration(to: .now) < .seconds(5) {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(Self.processes(withMarker: marker).isEmpty)
    }

    @Test("the default wait for a credential_process is 30 seconds")
    func credentialProcessDefaultTimeout() {
        #expect(DefaultCredentialsProvider.defaultProcessTimeout == .seconds(30))
    }

    @Test("web identity: token file + role ARN → STS AssumeRoleWithWebIdentity")
    func webIdentity() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let tokenFile = try directory.write("token", "eyJ-web-identity-token\n")
        var environment = Self.baseEnvironment(directory)
        environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile
        environment["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/collector"
        environment["AWS_ROLE_SESSION_NAME"] = "locktrail-test"
        environment["AWS_REGION"] = "eu-west-1"
        let sts = ScriptedTransport { _, _ in
            HTTPResponse(
                status: 200,
                body: Array(
                    """
                    <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                      <AssumeRoleWithWebIdentityResult>
                        <Credentials>
                          <AccessKeyId>ASIAWEB</AccessKeyId>
                          <SecretAccessKey>web-secret</SecretAccessKey>
                          <SessionToken>web-token</SessionToken>
                          <Expiration>2030-01-02T03:04:05Z</Expiration>
                        </Credentials>
                      </AssumeRoleWithWebIdentityResult>
                    </AssumeRoleWithWebIdentityResponse>
                    """.utf8))
        }
        let credentials = try await Self.resolve(environment, transport: sts)
        #expect(credentials.accessKeyID == "ASIAWEB")
        #expect(credentials.sessionToken == "web-token")
        #expect(credentials.expiration != nil)
        let request = try #require(sts.requests.first)
        #expect(request.url == "https://sts.eu-west-1.amazonaws.com/")
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(body.contains("Action=AssumeRoleWithWebIdentity"))
        #expect(body.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fcollector"))
        #expect(body.contains("RoleSessionName=locktrail-test"))
        #expect(body.contains("WebIdentityToken=eyJ-web-identity-token&") || body.hasSuffix("WebIdentityToken=eyJ-web-identity-token"))
    }

    @Test("container credentials: relative URI against 169.254.170.2, full URI with token file")
    func container() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let answer = ScriptedTransport { _, _ in
            HTTPResponse(
                status: 200,
                body: Array(#"{"AccessKeyId":"ASIACONT","SecretAccessKey":"c-secret","Token":"c-token","Expiration":"2030-01-02T03:04:05Z"}"#.utf8))
        }
        var environment = Self.baseEnvironment(directory)
        environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc"
        let relative = try await Self.resolve(environment, transport: answer)
        #expect(relative.accessKeyID == "ASIACONT")
        #expect(relative.sessionToken == "c-token")
        #expect(answer.requests.last?.url == "http://169.254.170.2/v2/credentials/abc")

        environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = nil
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://169.254.170.23/v1/credentials"
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = try directory.write("auth", "pod-identity-token\n")
        _ = try await Self.resolve(environment, transport: answer)
        #expect(answer.requests.last?.url == "http://169.254.170.23/v1/credentials")
        #expect(answer.requests.last?.headers["Authorization"] == "pod-identity-token")
    }

    @Test("EC2 IMDSv2: PUT token, GET role, GET credentials; endpoint override; disabled")
    func instanceMetadata() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let imds = ScriptedTransport { request, _ in
            switch (request.method, request.url) {
            case ("PUT", "http://[fd00:ec2::254]/latest/api/token"):
                #expect(request.headers["X-aws-ec2-metadata-token-ttl-seconds"] == "21600")
                return HTTPResponse(status: 200, body: Array("imds-token".utf8))
            case ("GET", "http://[fd00:ec2::254]/latest/meta-data/iam/security-credentials/"):
                #expect(request.headers["X-aws-ec2-metadata-token"] == "imds-token")
                return HTTPResponse(status: 200, body: Array("collector-role\n".utf8))
            case ("GET", "http://[fd00:ec2::254]/latest/meta-data/iam/security-credentials/collector-role"):
                return HTTPResponse(
                    status: 200,
                    body: Array(
                        #"{"Code":"Success","AccessKeyId":"ASIAEC2","SecretAccessKey":"e-secret","Token":"e-token","Expiration":"2030-01-02T03:04:05Z"}"#
                            .utf8))
            default:
                return HTTPResponse(status: 404)
            }
        }
        var environment = Self.baseEnvironment(directory)
        environment["AWS_EC2_METADATA_DISABLED"] = nil
        environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://[fd00:ec2::254]/"
        let credentials = try await Self.resolve(environment, transport: imds)
        #expect(credentials.accessKeyID == "ASIAEC2")
        #expect(credentials.source == "EC2 instance metadata role collector-role")
        #expect(imds.requests.map(\.method) == ["PUT", "GET", "GET"])

        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        let error = await #expect(throws: AWSCredentialsError.self) { try await Self.resolve(environment, transport: imds) }
        #expect(error?.description.contains("instanceMetadata") == true)
        #expect(imds.requests.count == 3)
    }

    @Test("cached until a few minutes before Expiration, then refreshed")
    func caching() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let clock = Mutex<Date>(Date(timeIntervalSince1970: 1_000_000))
        let issued = ScriptedTransport { _, index in
            let expiry = AWSTimestampForTests.iso8601(Date(timeIntervalSince1970: 1_000_000 + 3600 * Double(index + 1)))
            return HTTPResponse(
                status: 200, body: Array(#"{"AccessKeyId":"ASIA\#(index)","SecretAccessKey":"s","Token":"t","Expiration":"\#(expiry)"}"#.utf8))
        }
        var environment = Self.baseEnvironment(directory)
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:9/creds"
        let provider = DefaultCredentialsProvider(
            configuration: try AWSConfiguration.resolve(environment: environment),
            transport: issued,
            now: { clock.withLock { $0 } }
        )
        #expect(try await provider.credentials().accessKeyID == "ASIA0")
        clock.withLock { $0 = $0.addingTimeInterval(3000) }  // 10 minutes before expiry: still fine
        #expect(try await provider.credentials().accessKeyID == "ASIA0")
        clock.withLock { $0 = $0.addingTimeInterval(400) }  // within the 5-minute margin
        #expect(try await provider.credentials().accessKeyID == "ASIA1")
        #expect(issued.requests.count == 2)
    }

    @Test("no source → error listing where it looked")
    func nothingFound() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let error = await #expect(throws: AWSCredentialsError.self) { try await Self.resolve(Self.baseEnvironment(directory)) }
        #expect(error?.description.contains("environment, profile, webIdentity, container, instanceMetadata") == true)
    }

    @Test("descriptions, debug output and dumps never contain the secret or the token")
    func redaction() {
        let credentials = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: Self.secret, sessionToken: "SESSION-TOKEN-VALUE", source: "environment")
        var dumped = ""
        dump(credentials, to: &dumped)
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "dynamodb")
        for text in [
            credentials.description, credentials.debugDescription, "\(credentials)", String(reflecting: credentials), dumped, "\(signer)",
            String(reflecting: signer),
        ] {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains("SESSION-TOKEN-VALUE"))
        }
        #expect(credentials.description.contains("AKIDEXAMPLE"))
        #expect(credentials.description.contains("<redacted>"))
    }
}

/// Test-local helpers for things the module keeps internal.
enum CurlHTTPClientHost {
    static func of(_ url: String) -> String {
        guard let start = url.range(of: "://") else { return url }
        return String(url[start.upperBound...].prefix { $0 != "/" })
    }
}

enum AWSTimestampForTests {
    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
