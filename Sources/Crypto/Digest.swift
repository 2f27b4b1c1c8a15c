internal import COpenSSL

/// Message digests over OpenSSL's EVP interface.
public enum Digest {
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { digest(bytes, EVP_sha256(), 32) }
    public static func sha512(_ bytes: [UInt8]) -> [UInt8] { digest(bytes, EVP_sha512(), 64) }

    private static func digest(_ bytes: [UInt8], _ md: OpaquePointer?, _ size: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, md, nil)
            }
        }
        // EVP_Digest fails only on allocation failure or a missing algorithm: a broken process, not bad input.
        precondition(ok == 1 && Int(length) == size, "EVP_Digest failed")
        return out
    }
}
