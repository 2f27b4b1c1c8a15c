/// A credential, token, webhook secret or phone number: usable, but never printed.
///
/// `description`, `debugDescription` and string interpolation all show `<redacted>`, so a secret that slips
/// into a log line or an error message leaks nothing.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself. Read it only where it is used (a header, an HMAC key).
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var isEmpty: Bool { value.isEmpty }
}
