import Foundation
import LocktrailAWS
import Testing

@Suite("AWS configuration: profiles, region, endpoints")
struct AWSConfigurationTests {
    @Test("profile files: sections, comments, sub-settings, `profile` prefix only in config")
    func profileParsing() {
        let config = AWSProfileFile(
            parsing: """
                # comment
                [default]
                region = us-east-1
                [profile dev]
                region=eu-west-1 ; inline comment
                s3 =
                  max_concurrent_requests = 10
                endpoint_url = http://localhost:4566
                [sso-session corp]
                sso_region = us-east-1
                [dev-without-prefix]
                region = ignored
                """,
            kind: .config
        )
        #expect(config.profiles["default"]?["region"] == "us-east-1")
        #expect(config.profiles["dev"]?["region"] == "eu-west-1")
        #expect(config.profiles["dev"]?["endpoint_url"] == "http://localhost:4566")
        #expect(config.profiles["dev"]?["max_concurrent_requests"] == nil)
        #expect(config.profiles["corp"] == nil)
        #expect(config.profiles["dev-without-prefix"] == nil)

        let credentials = AWSProfileFile(parsing: "[dev]\naws_access_key_id = AKIADEV\n[profile x]\nk = v\n", kind: .credentials)
        #expect(credentials.profiles["dev"]?["aws_access_key_id"] == "AKIADEV")
        #expect(credentials.profiles["profile x"]?["k"] == "v")
    }

    struct RegionCase: Sendable, CustomTestStringConvertible {
        var name: String
        var environment: [String: String]
        var region: String?
        var testDescription: String { name }
    }

    @Test(
        "region order: AWS_REGION, AWS_DEFAULT_REGION, profile",
        arguments: [
            RegionCase(name: "AWS_REGION wins", environment: ["AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "us-west-2"], region: "ap-south-1"),
            RegionCase(name: "then AWS_DEFAULT_REGION", environment: ["AWS_DEFAULT_REGION": "us-west-2"], region: "us-west-2"),
            RegionCase(name: "then the default profile", environment: [:], region: "us-east-1"),
            RegionCase(name: "then the selected profile", environment: ["AWS_PROFILE": "dev"], region: "eu-west-1"),
            RegionCase(name: "none", environment: ["AWS_PROFILE": "bare"], region: nil),
        ])
    func regionOrder(_ testCase: RegionCase) throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let config = try directory.write(
            "config", "[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\n[profile bare]\noutput = json\n")
        var environment = testCase.environment
        environment["AWS_CONFIG_FILE"] = config
        environment["AWS_SHARED_CREDENTIALS_FILE"] = directory.path + "/missing"
        let configuration = try AWSConfiguration.resolve(environment: environment)
        #expect(configuration.region == testCase.region)
    }

    struct EndpointCase: Sendable, CustomTestStringConvertible {
        var name: String
        var environment: [String: String]
        var profile: [String: String]
        var service: String
        var endpoint: String
        var testDescription: String { name }
    }

    @Test(
        "endpoint order: service variable, global variable, profile, AWS default",
        arguments: [
            EndpointCase(
                name: "service-specific", environment: ["AWS_ENDPOINT_URL_DYNAMODB": "http://ddb:8000/", "AWS_ENDPOINT_URL": "http://all:1"],
                profile: ["endpoint_url": "http://p:2"], service: "DynamoDB", endpoint: "http://ddb:8000"),
            EndpointCase(
                name: "S3 variable", environment: ["AWS_ENDPOINT_URL_S3": "http://s3:9000"], profile: [:], service: "S3", endpoint: "http://s3:9000"),
            EndpointCase(
                name: "global variable", environment: ["AWS_ENDPOINT_URL_S3": "http://s3:9000", "AWS_ENDPOINT_URL": "http://all:1"],
                profile: ["endpoint_url": "http://p:2"], service: "DynamoDB", endpoint: "http://all:1"),
            EndpointCase(
                name: "profile endpoint_url", environment: [:], profile: ["endpoint_url": "http://p:2"], service: "DynamoDB", endpoint: "http://p:2"),
            EndpointCase(
                name: "AWS default", environment: [:], profile: [:], service: "DynamoDB", endpoint: "https://dynamodb.eu-central-1.amazonaws.com"),
            EndpointCase(
                name: "ignored when asked", environment: ["AWS_ENDPOINT_URL": "http://all:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"],
                profile: [:], service: "S3", endpoint: "https://s3.eu-central-1.amazonaws.com"),
        ])
    func endpointOrder(_ testCase: EndpointCase) throws {
        let configuration = AWSConfiguration(environment: testCase.environment, profile: testCase.profile, region: "eu-central-1")
        #expect(try configuration.endpoint(serviceID: testCase.service) == testCase.endpoint)
    }

    @Test("an explicit profile that does not exist is an error; no region is an actionable error")
    func errors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let environment = [
            "AWS_PROFILE": "nope",
            "AWS_CONFIG_FILE": directory.path + "/config",
            "AWS_SHARED_CREDENTIALS_FILE": directory.path + "/credentials",
        ]
        let error = #expect(throws: AWSConfigurationError.self) { try AWSConfiguration.resolve(environment: environment) }
        #expect(error?.description.contains("'nope'") == true)
        let regionless = AWSConfiguration()
        let regionError = #expect(throws: AWSConfigurationError.self) { try regionless.endpoint(serviceID: "DynamoDB") }
        #expect(regionError?.description.contains("AWS_REGION") == true)
    }
}
