internal import COpenSSL

/// HMAC (RFC 2104) over OpenSSL's one-shot `HMAC()`.
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
    }

    /// The MAC of `message` under `key`.
    public static func mac(_ algorithm: Algorithm, key: [UInt8], message: [UInt8]) -> [UInt8] {
        let md: OpaquePointer? =
            switch algorithm {
            case .sha1: EVP_sha1()
            case .sha256: EVP_sha256()
            case .sha512: EVP_sha512()
            }
        var out = [UInt8](repeating: 0, count: algorithm.size)
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                out.withUnsafeMutableBufferPointer { output in
                    COpenSSL.HMAC(
                        md, keyBytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(keyBytes.count),
                        messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBytes.count,
                        output.baseAddress, &length)
                }
            }
        }
        precondition(result != nil && Int(length) == algorithm.size, "HMAC failed")
        return out
    }

    public static func mac(_ algorithm: Algorithm, key: String, message: [UInt8]) -> [UInt8] {
        mac(algorithm, key: Array(key.utf8), message: message)
    }
}
