import Foundation
import GroupModel
import JSONCore
import Storage

/// Native accounts: a phone number, its JID, and the gateway session bound to it.
enum NativeAccounts {
    /// The `+E.164` phone of a native JID: native accounts are always `<digits>@s.whatsapp.net`, written by us.
    static func phone(of jid: String) -> String? {
        guard let at = jid.utf8.firstIndex(of: UInt8(ascii: "@")) else { return nil }
        return "+" + String(Substring(jid.utf8[..<at]))
    }

    /// The account JID a session's binding names, from its `phone`.
    static func jid(from account: JSONObject) throws(GatewayError) -> UserID {
        guard let phone = account["phone"]?.stringValue else {
            throw GatewayError.invalidRequest("A native session needs a 'phone' (+E.164), e.g. +15550000001.", details: ["field": "phone"])
        }
        guard let user = UserID.parse(phone), !user.isLID else {
            throw GatewayError.invalidRequest("'phone' must be a phone number in +E.164 form, e.g. +15550000001.", details: ["field": "phone"])
        }
        return user
    }

    /// The bound session of each JID that has one.
    static func sessions(of jids: [String], _ db: SQLiteConnection) throws -> [String: String] {
        var found: [String: String] = [:]
        for jid in jids {
            if let session = try db.queryOne("SELECT session FROM native_accounts WHERE jid = ?", [.text(jid)])?.string(0) {
                found[jid] = session
            }
        }
        return found
    }

    static func exists(_ jid: String, _ db: SQLiteConnection) throws -> Bool { try key(jid, db) != nil }

    /// The account's integer key, if the account exists.
    static func key(_ jid: String, _ db: SQLiteConnection) throws -> Int64? {
        try db.queryOne("SELECT key FROM native_accounts WHERE jid = ?", [.text(jid)])?.int(0)
    }
}
