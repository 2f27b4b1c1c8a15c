/// Validation of the gateway's own names and of opaque provider ids.
public enum Identifiers {
    /// A session name: `[a-z0-9][a-z0-9_-]{0,63}` (DESIGN §3).
    public static func isValidSessionName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        for (index, byte) in bytes.enumerated() {
            let lowerOrDigit = (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57)
            if index == 0 ? !lowerOrDigit : !(lowerOrDigit || byte == 95 || byte == 45) { return false }
        }
        return true
    }

    /// Throws `invalid_request` unless `name` is a valid session name.
    public static func validateSessionName(_ name: String) throws(GatewayError) {
        guard isValidSessionName(name) else {
            throw .invalidRequest(
                "Session names are 1-64 characters of lower-case letters, digits, '_' and '-', starting with a letter or digit.")
        }
    }

    /// A group id is opaque (a JID for WhatsApp providers, a thread id for A1Base) but bounded and printable:
    /// 1–256 Unicode scalars (as JSON Schema's maxLength counts), no control characters.
    public static func validateGroupID(_ id: String) throws(GatewayError) {
        guard !id.isEmpty, id.unicodeScalars.count <= 256, !id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { throw .invalidRequest("A group id is 1-256 printable characters.") }
    }

    /// True for a WhatsApp group JID: `<digits>@g.us` or the older `<creator>-<timestamp>@g.us`.
    public static func isGroupJID(_ id: String) -> Bool {
        guard id.hasSuffix("@g.us") else { return false }
        let local = id.dropLast(5)
        return !local.isEmpty && local.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }
}
