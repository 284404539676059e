internal import CCurl

#if canImport(Glibc)
import Glibc
#endif

/// libcurl's entry points, loaded with `dlopen` at the first request instead of linked.
///
/// libcurl and the thirty-odd libraries it brings cost about 4 ms of every process start, and
/// `locktrail-wrap`, which sits in front of every terraform run, must start fast; it must also
/// still run the command (and spool its events) on a machine where libcurl is missing. Loaded
/// once, with `curl_global_init`, the first time a handle is made.
struct CurlLibrary: @unchecked Sendable {
    typealias Handle = UnsafeMutableRawPointer
    typealias List = UnsafeMutablePointer<curl_slist>

    let easyInit: @convention(c) () -> Handle?
    let easyCleanup: @convention(c) (Handle?) -> Void
    let easyReset: @convention(c) (Handle?) -> Void
    let easyPerform: @convention(c) (Handle?) -> CURLcode
    let easyStrerror: @convention(c) (CURLcode) -> UnsafePointer<CChar>?
    let slistAppend: @convention(c) (List?, UnsafePointer<CChar>?) -> List?
    let slistFreeAll: @convention(c) (List?) -> Void
    /// `curl_easy_setopt`, variadic: called through the shim's `locktrail_curl_setopt_*`.
    let easySetopt: UnsafeMutableRawPointer
    /// `curl_easy_getinfo`, variadic: called through `locktrail_curl_getinfo_long`.
    let easyGetinfo: UnsafeMutableRawPointer

    /// Why libcurl could not be loaded or initialised.
    struct LoadFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// The library, loaded and initialised on first use; the same answer every time after.
    static let shared: Result<CurlLibrary, LoadFailure> = load()

    #if os(macOS)
    private static let names = ["libcurl.4.dylib"]
    #else
    private static let names = ["libcurl.so.4", "libcurl.so"]
    #endif

    private static func load() -> Result<CurlLibrary, LoadFailure> {
        guard let library = names.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_LOCAL) }).first else {
            return .failure(LoadFailure(description: "libcurl is not installed (\(lastError())); on Debian: apt-get install libcurl4"))
        }
        func symbol<T>(_ name: String, as type: T.Type) throws(LoadFailure) -> T {
            guard let address = dlsym(library, name) else { throw LoadFailure(description: "libcurl has no \(name): \(lastError())") }
            return unsafeBitCast(address, to: type)
        }
        do {
            let globalInit = try symbol("curl_global_init", as: (@convention(c) (Int) -> CURLcode).self)
            let loaded = CurlLibrary(
                easyInit: try symbol("curl_easy_init", as: (@convention(c) () -> Handle?).self),
                easyCleanup: try symbol("curl_easy_cleanup", as: (@convention(c) (Handle?) -> Void).self),
                easyReset: try symbol("curl_easy_reset", as: (@convention(c) (Handle?) -> Void).self),
                easyPerform: try symbol("curl_easy_perform", as: (@convention(c) (Handle?) -> CURLcode).self),
                easyStrerror: try symbol("curl_easy_strerror", as: (@convention(c) (CURLcode) -> UnsafePointer<CChar>?).self),
                slistAppend: try symbol("curl_slist_append", as: (@convention(c) (List?, UnsafePointer<CChar>?) -> List?).self),
                slistFreeAll: try symbol("curl_slist_free_all", as: (@convention(c) (List?) -> Void).self),
                easySetopt: try symbol("curl_easy_setopt", as: UnsafeMutableRawPointer.self),
                easyGetinfo: try symbol("curl_easy_getinfo", as: UnsafeMutableRawPointer.self))
            let code = globalInit(Int(CURL_GLOBAL_DEFAULT))
            guard code == CURLE_OK else {
                return .failure(LoadFailure(description: "curl_global_init failed: \(loaded.describe(code))"))
            }
            return .success(loaded)
        } catch {
            return .failure(error)
        }
    }

    /// libcurl's text for `code`.
    func describe(_ code: CURLcode) -> String {
        easyStrerror(code).map { String(cString: $0) } ?? "libcurl error \(code.rawValue)"
    }

    private static func lastError() -> String {
        dlerror().map { String(cString: $0) } ?? "unknown error"
    }
}
