import Foundation
import JSONCore
import Storage
import Support

/// Provider payload shapes per provider and event kind: every JSON path of every verified inbound webhook is
/// recorded with when it was first and last seen, so a provider that adds, renames or drops a field shows up at
/// `GET /v1/providers/{p}/drift` before it breaks a mapping.
public enum PayloadDrift {
    /// At most this many paths per payload, this deep (inputs are bounded).
    static let maxPaths = 400
    static let maxDepth = 10

    /// `path → type` of a payload: object keys joined with `.`, array elements as `[]`.
    public static func shape(_ json: JSON) -> [String: String] {
        var out: [String: String] = [:]
        func walk(_ value: JSON, _ path: String, _ depth: Int) {
            guard out.count < maxPaths else { return }
            if !path.isEmpty { out[path] = out[path].map { $0 == type(value) ? $0 : "mixed" } ?? type(value) }
            guard depth < maxDepth else { return }
            switch value {
            case .object(let object): for member in object { walk(member.value, path.isEmpty ? member.key : path + "." + member.key, depth + 1) }
            case .array(let items): for item in items.prefix(20) { walk(item, path + "[]", depth + 1) }
            default: break
            }
        }
        walk(json, "", 0)
        return out
    }

    static func type(_ value: JSON) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        default: "other"
        }
    }

    /// Records one payload's shape (inside the inbound write).
    static func record(provider: String, kind: String, shape: [String: String], at now: Date, in db: SQLiteConnection) throws {
        let time = SQLValue.real(now.timeIntervalSince1970)
        try db.run(
            """
            INSERT INTO payload_kinds (provider, kind, first_seen, last_seen, seen) VALUES (?1, ?2, ?3, ?3, 1)
            ON CONFLICT (provider, kind) DO UPDATE SET last_seen = ?3, seen = seen + 1
            """, [.text(provider), .text(kind), time])
        for (path, type) in shape {
            try db.run(
                """
                INSERT INTO payload_fields (provider, kind, path, type, first_seen, last_seen, seen) VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1)
                ON CONFLICT (provider, kind, path) DO UPDATE SET last_seen = ?5, seen = seen + 1,
                    type = CASE WHEN type = ?4 THEN type ELSE 'mixed' END
                """, [.text(provider), .text(kind), .text(path), .text(type), time])
        }
    }

    /// The drift report of one provider: per event kind, fields that appeared after the first payload of that kind
    /// (`newFields`) and fields the latest payload lacked (`missingFields`), with how often each was seen.
    public static func report(provider: String, database: Database) throws -> JSON {
        try database.read { db in
            let kinds = try db.query("SELECT kind, first_seen, last_seen, seen FROM payload_kinds WHERE provider = ? ORDER BY kind", [.text(provider)])
            var data: [JSON] = []
            for kind in kinds {
                let name = kind.string(0) ?? ""
                let first = kind[1].double ?? 0
                let last = kind[2].double ?? 0
                let fields = try db.query(
                    "SELECT path, type, first_seen, last_seen, seen FROM payload_fields WHERE provider = ? AND kind = ? ORDER BY path",
                    [.text(provider), .text(name)])
                func field(_ row: Row) -> JSON {
                    [
                        "path": .string(row.string(0)), "type": .string(row.string(1)),
                        "firstSeen": .string(Timestamp.iso8601(Date(timeIntervalSince1970: row[2].double ?? 0))),
                        "lastSeen": .string(Timestamp.iso8601(Date(timeIntervalSince1970: row[3].double ?? 0))), "seen": .int(row.int(4)),
                    ]
                }
                data.append([
                    "kind": .string(name), "payloads": .int(kind.int(3)),
                    "firstSeen": .string(Timestamp.iso8601(Date(timeIntervalSince1970: first))),
                    "lastSeen": .string(Timestamp.iso8601(Date(timeIntervalSince1970: last))),
                    "fields": .int(fields.count),
                    "newFields": .array(fields.filter { ($0[2].double ?? 0) > first }.map(field)),
                    "missingFields": .array(fields.filter { ($0[3].double ?? 0) < last }.map(field)),
                ])
            }
            return ["provider": .string(provider), "data": .array(data), "next": .null]
        }
    }
}
