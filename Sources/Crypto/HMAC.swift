internal import COpenSSL

/// HMAC (RFC 2104) over OpenSSL's EVP digests, fetched once. OpenSSL 3's one-shot `HMAC()` looks the "HMAC" and
/// digest implementations up in its provider tables on every call: most of the cost of a webhook signature
/// (per inbound webhook and per outbound delivery).
public enum HMAC {
    public enum Algorithm: Sendable {
        case sha1, sha256, sha512

        var size: Int {
            switch self {
            case .sha1: 20
            case .sha256: 32
            case .sha512: 64
            }
        }

        var blockSize: Int { self == .sha512 ? 128 : 64 }

        var digest: FetchedDigest {
            switch self {
            case .sha1: FetchedDigest.sha1
            case .sha256: FetchedDigest.sha256
            case .sha512: FetchedDigest.sha512
            }
        }
    }

    /// The MAC of `message` under `key`: `H((K ^ opad) || H((K ^ ipad) || message))`, K being the key (hashed
    /// first if longer than a block) padded with zeros to the block size.
    public static func mac(_ algorithm: Algorithm, key: [UInt8], message: [UInt8]) -> [UInt8] {
        let digest = algorithm.digest
        var block = key.count > algorithm.blockSize ? digest.hash([key], size: algorithm.size) : key
        block.append(contentsOf: repeatElement(0, count: algorithm.blockSize - block.count))
        let inner = digest.hash([block.map { $0 ^ 0x36 }, message], size: algorithm.size)
        return digest.hash([block.map { $0 ^ 0x5c }, inner], size: algorithm.size)
    }

    public static func mac(_ algorithm: Algorithm, key: String, message: [UInt8]) -> [UInt8] {
        mac(algorithm, key: Array(key.utf8), message: message)
    }
}

/// An EVP digest implementation fetched once per process (a fetch per call costs more than hashing a webhook).
final class FetchedDigest: @unchecked Sendable {
    static let sha1 = FetchedDigest("SHA1")
    static let sha256 = FetchedDigest("SHA256")
    static let sha512 = FetchedDigest("SHA512")

    private let md: OpaquePointer

    private init(_ name: String) {
        guard let md = EVP_MD_fetch(nil, name, nil) else { preconditionFailure("OpenSSL has no \(name)") }
        self.md = md
    }

    /// The digest of `parts` one after another.
    func hash(_ parts: [[UInt8]], size: Int) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        var ok = EVP_DigestInit_ex2(context, md, nil) == 1
        for part in parts { ok = part.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) } == 1 && ok }
        var out = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        ok = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) } == 1 && ok
        precondition(ok && Int(length) == size, "digest failed")
        return out
    }
}
