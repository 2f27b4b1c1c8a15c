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
        let text = input.trimmingWhitespace()
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        if let at = text.firstIndex(of: "@") {
            var local = String(text[..<at])
            let domain = text[text.index(after: at)...].lowercased()
            if let colon = local.firstIndex(of: ":") { local = String(local[..<colon]) }  // device suffix
            guard isDigits(local) else { return nil }
            switch domain {
            case "c.us", "s.whatsapp.net":
                guard isPhoneLength(local), local.first != "0" else { return nil }  // E.164 has no leading zero
                return .phone(digits: local)
            case "lid":
                guard (1...20).contains(local.count) else { return nil }
                return .lid(local)
            default:
                return nil
            }
        }
        var digits = ""
        var sawPlus = false
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            switch scalar {
            case "+" where offset == 0: sawPlus = true
            case "0"..."9": digits.unicodeScalars.append(scalar)
            case " ", "-", ".", "(", ")":
                guard sawPlus else { return nil }  // separators only in the +E.164 form
            default: return nil
            }
        }
        guard isPhoneLength(digits), digits.first != "0" else { return nil }
        return .phone(digits: digits)
    }

    /// The same user with a phone learned from elsewhere (a LID mapping, a `from_phone`).
    public func withPhone(_ phone: String?) -> UserID {
        guard self.phone == nil, let phone, let parsed = UserID.parse(phone), !parsed.isLID else { return self }
        return UserID(jid: jid, phone: parsed.phone)
    }

    /// `<digits>@c.us` for providers that use it (WAHA); LIDs stay `@lid`.
    public var cUs: String { isLID ? jid : "\(user)@c.us" }

    /// Bare digits of the phone, when known.
    public var phoneDigits: String? { phone.map { String($0.dropFirst()) } }

    private static func isDigits(_ text: String) -> Bool { !text.isEmpty && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
    private static func isPhoneLength(_ digits: String) -> Bool { isDigits(digits) && (7...15).contains(digits.count) }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
