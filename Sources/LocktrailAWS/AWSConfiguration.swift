public import Foundation

/// Region, profile and endpoints resolved the way the AWS CLI and SDKs resolve them.
public struct AWSConfiguration: Sendable {
    /// The environment the configuration was resolved from (also used by credential providers).
    public var environment: [String: String]
    /// The selected profile: `AWS_PROFILE`, else `default`.
    public var profileName: String
    /// Whether the profile was named explicitly (a missing explicit profile is an error).
    public var profileIsExplicit: Bool
    /// The profile's settings, credentials-file values over config-file values.
    public var profile: [String: String]
    /// The region from `AWS_REGION`, `AWS_DEFAULT_REGION`, or the profile's `region`.
    public var region: String?
    /// Paths of the shared files that were read.
    public var configFilePath: String
    /// Path of the shared credentials file.
    public var credentialsFilePath: String

    /// Creates a configuration from already-known parts (tests, or explicit flags).
    public init(
        environment: [String: String] = [:],
        profileName: String = "default",
        profileIsExplicit: Bool = false,
        profile: [String: String] = [:],
        region: String? = nil,
        configFilePath: String = "",
        credentialsFilePath: String = ""
    ) {
        self.environment = environment
        self.profileName = profileName
        self.profileIsExplicit = profileIsExplicit
        self.profile = profile
        self.region = region
        self.configFilePath = configFilePath
        self.credentialsFilePath = credentialsFilePath
    }

    /// Resolves profile, region and files from `environment` and the shared files it points at.
    public static func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AWSConfiguration {
        let home = environment["HOME"] ?? NSHomeDirectory()
        func expand(_ path: String) -> String {
            path.hasPrefix("~/") ? home + path.dropFirst(1) : path
        }
        let configPath = expand(nonEmpty(environment["AWS_CONFIG_FILE"]) ?? "~/.aws/config")
        let credentialsPath = expand(nonEmpty(environment["AWS_SHARED_CREDENTIALS_FILE"]) ?? "~/.aws/credentials")
        let explicitProfile = nonEmpty(environment["AWS_PROFILE"]) ?? nonEmpty(environment["AWS_DEFAULT_PROFILE"])
        let profileName = explicitProfile ?? "default"

        let config = try AWSProfileFile.load(path: configPath, kind: .config)
        let credentials = try AWSProfileFile.load(path: credentialsPath, kind: .credentials)
        let fromConfig = config.profiles[profileName]
        let fromCredentials = credentials.profiles[profileName]
        // Credentials explicitly in the environment make a missing profile harmless, as in the CLI.
        let hasEnvironmentKeys = nonEmpty(environment["AWS_ACCESS_KEY_ID"]) != nil
        if explicitProfile != nil, fromConfig == nil, fromCredentials == nil, !hasEnvironmentKeys {
            throw AWSConfigurationError.profileNotFound(profileName, configFile: configPath, credentialsFile: credentialsPath)
        }
        let profile = (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentialsValue in credentialsValue }
        let region = nonEmpty(environment["AWS_REGION"]) ?? nonEmpty(environment["AWS_DEFAULT_REGION"]) ?? nonEmpty(profile["region"])
        return AWSConfiguration(
            environment: environment,
            profileName: profileName,
            profileIsExplicit: explicitProfile != nil,
            profile: profile,
            region: region,
            configFilePath: configPath,
            credentialsFilePath: credentialsPath
        )
    }

    /// The region, or an error that says how to set one.
    public func requireRegion() throws -> String {
        guard let region else { throw AWSConfigurationError.missingRegion(profile: profileName) }
        return region
    }

    /// The endpoint URL for `serviceID` (e.g. `DynamoDB`, `S3`, `STS`, `IAM`), without a trailing slash.
    ///
    /// Order: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's `endpoint_url`,
    /// then the public AWS endpoint for the region. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`
    /// (or `ignore_configured_endpoint_urls = true`) skips the configured ones.
    public func endpoint(serviceID: String) throws -> String {
        let ignoreConfigured =
            environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true"
            || profile["ignore_configured_endpoint_urls"]?.lowercased() == "true"
        if !ignoreConfigured {
            let variable = "AWS_ENDPOINT_URL_" + serviceID.uppercased().replacingOccurrences(of: " ", with: "_")
            if let url = Self.nonEmpty(environment[variable]) ?? Self.nonEmpty(environment["AWS_ENDPOINT_URL"])
                ?? Self.nonEmpty(profile["endpoint_url"])
            {
                return Self.trimSlash(url)
            }
        }
        let region = try requireRegion()
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        // Host names follow the service ID except where AWS chose otherwise.
        let prefix = Self.hostPrefixes[serviceID.lowercased()] ?? serviceID.lowercased().replacingOccurrences(of: " ", with: "")
        // IAM is a global service with a single endpoint per partition.
        if prefix == "iam" { return region.hasPrefix("cn-") ? "https://iam.cn-north-1.amazonaws.com.cn" : "https://iam.amazonaws.com" }
        return "https://\(prefix).\(region).\(suffix)"
    }

    /// Service IDs whose endpoint host does not start with the service ID itself.
    static let hostPrefixes: [String: String] = ["dynamodb streams": "streams.dynamodb"]

    static func nonEmpty(_ value: String?) -> String? {
        guard let value else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    private static func trimSlash(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}

/// A configuration problem the user fixes in the environment or the shared files.
public enum AWSConfigurationError: Error, Sendable, CustomStringConvertible {
    /// `AWS_PROFILE` names a profile that neither file defines.
    case profileNotFound(String, configFile: String, credentialsFile: String)
    /// No region anywhere.
    case missingRegion(profile: String)
    /// A shared file exists but cannot be read.
    case unreadableFile(path: String, reason: String)

    /// One actionable sentence.
    public var description: String {
        switch self {
        case .profileNotFound(let name, let config, let credentials):
            "AWS profile '\(name)' is not defined in \(config) or \(credentials); fix AWS_PROFILE or add the profile."
        case .missingRegion(let profile):
            "No AWS region configured; set AWS_REGION or add `region = …` to profile '\(profile)'."
        case .unreadableFile(let path, let reason):
            "Cannot read AWS shared file \(path): \(reason)."
        }
    }
}
