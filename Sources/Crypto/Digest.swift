/// Message digests, over implementations fetched once per process (`FetchedDigest`): OpenSSL 3's one-shot
/// `SHA256()` fetches its implementation and allocates a context on every call (`EVP_Q_digest`).
public enum Digest {
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { FetchedDigest.sha256.hash([bytes], size: 32) }

    /// SHA-1: only where a protocol requires it (the WebSocket handshake); never for anything secret.
    public static func sha1(_ bytes: [UInt8]) -> [UInt8] { FetchedDigest.sha1.hash([bytes], size: 20) }

    public static func sha512(_ bytes: [UInt8]) -> [UInt8] { FetchedDigest.sha512.hash([bytes], size: 64) }
}
