internal import COpenSSL

/// Message digests. The one-shot `SHA256()`/`SHA512()` calls need no context allocation (unlike `EVP_Digest`),
/// which matters on per-request paths such as API key verification.
public enum Digest {
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in _ = SHA256(input.baseAddress, input.count, output.baseAddress) }
        }
        return out
    }

    /// SHA-1: only where a protocol requires it (the WebSocket handshake); never for anything secret.
    public static func sha1(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in _ = SHA1(input.baseAddress, input.count, output.baseAddress) }
        }
        return out
    }

    public static func sha512(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in _ = SHA512(input.baseAddress, input.count, output.baseAddress) }
        }
        return out
    }
}
