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
