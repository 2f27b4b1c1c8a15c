/// A WhatsApp user in canonical form: `<digits>@s.whatsapp.net` or `<id>@lid`, with the `+E.164` phone beside
/// it when known (DESIGN §3). A phone is never guessed from an `@lid`.
public struct UserID: Sendable, Hashable, CustomStringConvertible {
    /// `<digits>@s.whatsapp.net` or `<digits>@lid`.
    public let jid: String
    /// `+<digits>` when known.
    public let phone: String?

    public var description: String { jid }
    public var isLID: Bool { jid.hasSuffix("@lid") }

    /// The digits before the `@`.
    public var user: Substring { jid[..<(jid.firstIndex(of: "@") ?? jid.endIndex)] }

    private init(jid: String, phone: String?) {
        self.jid = jid
        self.phone = phone
    }

    /// A user from a phone number given as digits (country code first).
    public static func phone(digits: String) -> UserID {
        UserID(jid: digits + "@s.whatsapp.net", phone: "+" + digits)
    }

    /// A user from a LID, with an optional known phone.
    public static func lid(_ digits: String, phone: String? = nil) -> UserID { UserID(jid: digits + "@lid", phone: phone) }

    /// Normalizes any accepted input form; nil when the input is not a user id.
    ///
    /// Accepted: `+E.164` (spaces, hyphens, dots and parentheses allowed between digits), bare digits,
    /// `<digits>@c.us`, `<digits>@s.whatsapp.net` (a `:device` suffix is dropped) and `<digits>@lid`.
    /// E.164 numbers have at most 15 digits; we also require at least 7.
    public static func parse(_ input: String) -> UserID? {
        var bytes = Array(input.utf8)
        if bytes.first.map(isSpace) == true || bytes.last.map(isSpace) == true {
            bytes = Array(input.trimmingWhitespace().utf8)
        }
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")) {
            var local = bytes[..<at]
            if let colon = local.firstIndex(of: UInt8(ascii: ":")) { local = local[..<colon] }  // device suffix
            guard !local.isEmpty, local.allSatisfy(isDigit) else { return nil }
            let digits = String(decoding: local, as: UTF8.self)
            switch String(decoding: bytes[(at + 1)...], as: UTF8.self).lowercased() {
            case "c.us", "s.whatsapp.net":
                // E.164 has no leading zero.
                guard (7...15).contains(local.count), local.first != UInt8(ascii: "0") else { return nil }
                return .phone(digits: digits)
            case "lid":
                guard (1...20).contains(local.count) else { return nil }
                return .lid(digits)
            default:
                return nil
            }
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.count)
        let plus = bytes[0] == UInt8(ascii: "+")
        for byte in bytes.dropFirst(plus ? 1 : 0) {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte)
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"):
                guard plus else { return nil }  // separators only in the +E.164 form
            default: return nil
            }
        }
        guard (7...15).contains(digits.count), digits.first != UInt8(ascii: "0") else { return nil }
        return .phone(digits: String(decoding: digits, as: UTF8.self))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 || byte >= 0x80 }

    /// The same user with a phone learned from elsewhere (a LID mapping, a `from_phone`).
    public func withPhone(_ phone: String?) -> UserID {
        guard self.phone == nil, let phone, let parsed = UserID.parse(phone), !parsed.isLID else { return self }
        return UserID(jid: jid, phone: parsed.phone)
    }

    /// `<digits>@c.us` for providers that use it (WAHA); LIDs stay `@lid`.
    public var cUs: String { isLID ? jid : "\(user)@c.us" }

    /// Bare digits of the phone, when known.
    public var phoneDigits: String? { phone.map { String($0.dropFirst()) } }

}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
