/// The OpenAPI document of the HTTP API, embedded from `openapi.json` at build time.
public enum OpenAPIDocument {
    /// The document's bytes, served at `/openapi.json`.
    public static var bytes: [UInt8] { PackageResources.openapi_json }
}
