internal import CCrypto

/// What went wrong in libcrypto, with OpenSSL's own reason; never key material.
public struct CryptoError: Error, CustomStringConvertible {
    /// What was being done and why it failed.
    public var description: String

    init(_ what: String) {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        description = reasons.isEmpty ? what : "\(what): \(reasons.joined(separator: "; "))"
    }
}

/// An Ed25519 key pair through OpenSSL's EVP interface: PEM PKCS#8 files that plain
/// `openssl pkeyutl` reads, one-shot `EVP_DigestSign` (Ed25519 hashes internally: no digest).
/// The one owner of its `EVP_PKEY`, freed when it goes.
public final class Ed25519SigningKey: @unchecked Sendable {
    // Immutable after init; OpenSSL keys may be used from several threads for signing.
    let key: OpaquePointer

    private init(key: OpaquePointer) { self.key = key }
    deinit { EVP_PKEY_free(key) }

    /// A new random key.
    public static func generate() throws -> Ed25519SigningKey {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else { throw CryptoError("cannot make an Ed25519 key context") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_keygen(context, &key) == 1, let key else {
            throw CryptoError("cannot generate an Ed25519 key")
        }
        return Ed25519SigningKey(key: key)
    }

    /// The key in a PEM file (`-----BEGIN PRIVATE KEY-----`, PKCS#8), as `keygen` writes it or
    /// `openssl genpkey -algorithm ed25519` does.
    public convenience init(pem: String) throws {
        let key = try BIOBuffer.read(pem) { PEM_read_bio_PrivateKey($0, nil, nil, nil) }
        guard let key else { throw CryptoError("not a PEM private key") }
        guard EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(key)
            throw CryptoError("the private key is not an Ed25519 key")
        }
        self.init(key: key)
    }

    /// The key as PEM PKCS#8.
    public func pem() throws -> String {
        try BIOBuffer.write { PEM_write_bio_PKCS8PrivateKey($0, key, nil, nil, 0, nil, nil) == 1 }
    }

    /// The public half.
    public func verifyingKey() throws -> Ed25519VerifyingKey {
        try Ed25519VerifyingKey(pem: BIOBuffer.write { PEM_write_bio_PUBKEY($0, key) == 1 })
    }

    /// The 64-byte Ed25519 signature of `message`.
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw CryptoError("cannot make a signing context") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else { throw CryptoError("cannot start an Ed25519 signature") }
        var length = 64
        var signature = [UInt8](repeating: 0, count: length)
        let ok = message.withUnsafeBufferPointer { m in
            EVP_DigestSign(context, &signature, &length, m.baseAddress, m.count)
        }
        guard ok == 1 else { throw CryptoError("cannot sign") }
        return Array(signature.prefix(length))
    }
}

/// The public half of an Ed25519 key: checks signatures, and names the key by its id.
public final class Ed25519VerifyingKey: @unchecked Sendable {
    let key: OpaquePointer

    deinit { EVP_PKEY_free(key) }

    /// The key in a PEM file (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo).
    public init(pem: String) throws {
        guard let key = try BIOBuffer.read(pem, { PEM_read_bio_PUBKEY($0, nil, nil, nil) }) else {
            throw CryptoError("not a PEM public key")
        }
        guard EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(key)
            throw CryptoError("the public key is not an Ed25519 key")
        }
        self.key = key
    }

    /// The key as PEM.
    public func pem() throws -> String {
        try BIOBuffer.write { PEM_write_bio_PUBKEY($0, key) == 1 }
    }

    /// The 32 raw bytes of the public key.
    public func rawBytes() throws -> [UInt8] {
        var length = 32
        var raw = [UInt8](repeating: 0, count: length)
        guard EVP_PKEY_get_raw_public_key(key, &raw, &length) == 1 else { throw CryptoError("cannot read the public key") }
        return Array(raw.prefix(length))
    }

    /// The key's id: `ed25519:` and the first 16 bytes of SHA-256 of its raw bytes, in hex —
    /// what each checkpoint names, so several keys (rotation) can verify a chain.
    public func keyID() throws -> String {
        "ed25519:" + Hex.encode(Digest.sha256(try rawBytes()).prefix(16))
    }

    /// Whether `signature` is this key's signature of `message`.
    public func verify(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else { return false }
        let ok = signature.withUnsafeBufferPointer { s in
            message.withUnsafeBufferPointer { m in EVP_DigestVerify(context, s.baseAddress, s.count, m.baseAddress, m.count) }
        }
        ERR_clear_error()
        return ok == 1
    }
}

/// Memory BIOs for PEM text in and out.
private enum BIOBuffer {
    static func read<T>(_ text: String, _ body: (OpaquePointer) -> T?) throws -> T? {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw -> T? in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { throw CryptoError("cannot read PEM") }
            defer { BIO_free(bio) }
            let value = body(bio)
            if value == nil { ERR_clear_error() }
            return value
        }
    }

    static func write(_ body: (OpaquePointer) -> Bool) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError("cannot write PEM") }
        defer { BIO_free(bio) }
        guard body(bio) else { throw CryptoError("cannot write PEM") }
        let pending = Int(BIO_ctrl_pending(bio))
        var out = [UInt8](repeating: 0, count: pending)
        let read = BIO_read(bio, &out, Int32(pending))
        guard read == pending else { throw CryptoError("cannot write PEM") }
        return String(decoding: out, as: UTF8.self)
    }
}
