internal import COpenSSL

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
