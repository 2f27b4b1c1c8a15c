import Foundation
import JSONCore
import Crypto
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

    /// A shape's identity: a digest of its sorted `path:type` lines.
    public static func digest(_ shape: [String: String]) -> String {
        let lines = shape.map { $0.key + ":" + $0.value }.sorted().joined(separator: "\n")
        return ByteEncoding.hex(Array(Digest.sha256(Array(lines.utf8)).prefix(16)))
    }

    /// Records one payload's shape (inside the inbound write): one row per distinct shape of a kind, so a
    /// payload shaped like earlier ones costs a single UPDATE.
    static func record(provider: String, kind: String, shape: [String: String], digest: String, at now: Date, in db: SQLiteConnection) throws {
        let time = SQLValue.real(now.timeIntervalSince1970)
        let key: [SQLValue] = [.text(provider), .text(kind), .text(digest)]
        let updated = try db.run("UPDATE payload_shapes SET last_seen = ?1, seen = seen + 1 WHERE provider = ?2 AND kind = ?3 AND shape = ?4", [time] + key)
        guard updated == 0 else { return }
        let fields = JSON.object(JSONObject(shape.sorted { $0.key < $1.key }.map { ($0.key, JSON.string($0.value)) })).text
        try db.run(
            "INSERT INTO payload_shapes (provider, kind, shape, fields, first_seen, last_seen, seen) VALUES (?, ?, ?, ?, ?, ?, 1)",
            key + [.text(fields), time, time])
    }

    /// One field of a kind, aggregated over the shapes it appears in.
    private struct Field {
        var type: String
        var firstSeen: Double
        var lastSeen: Double
        var seen: Int64
    }

    /// The drift report of one provider: per event kind, fields that appeared after the first payload of that kind
    /// (`newFields`) and fields the latest payload lacked (`missingFields`), with how often each was seen.
    public static func report(provider: String, database: Database) throws -> JSON {
        let rows = try database.read { db in
            try db.query("SELECT kind, fields, first_seen, last_seen, seen FROM payload_shapes WHERE provider = ? ORDER BY kind", [.text(provider)])
        }
        var kinds: [(name: String, first: Double, last: Double, seen: Int64, fields: [String: Field])] = []
        for row in rows {
            let name = row.string(0) ?? ""
            let (first, last, seen) = (row[2].double ?? 0, row[3].double ?? 0, row.int(4))
            if kinds.last?.name != name { kinds.append((name, first, last, 0, [:])) }
            kinds[kinds.count - 1].first = min(kinds[kinds.count - 1].first, first)
            kinds[kinds.count - 1].last = max(kinds[kinds.count - 1].last, last)
            kinds[kinds.count - 1].seen += seen
            let fields = (row.string(1).flatMap { try? JSONParser.parse($0) }?.objectValue) ?? JSONObject()
            for member in fields {
                let type = member.value.stringValue ?? "other"
                var field = kinds[kinds.count - 1].fields[member.key] ?? Field(type: type, firstSeen: first, lastSeen: last, seen: 0)
                if field.type != type { field.type = "mixed" }
                field.firstSeen = min(field.firstSeen, first)
                field.lastSeen = max(field.lastSeen, last)
                field.seen += seen
                kinds[kinds.count - 1].fields[member.key] = field
            }
        }
        func time(_ seconds: Double) -> JSON { .string(Timestamp.iso8601(Date(timeIntervalSince1970: seconds))) }
        let data: [JSON] = kinds.map { kind in
            let fields = kind.fields.sorted { $0.key < $1.key }
            func render(_ entry: (key: String, value: Field)) -> JSON {
                ["path": .string(entry.key), "type": .string(entry.value.type), "firstSeen": time(entry.value.firstSeen),
                 "lastSeen": time(entry.value.lastSeen), "seen": .int(entry.value.seen)]
            }
            return [
                "kind": .string(kind.name), "payloads": .int(kind.seen), "firstSeen": time(kind.first), "lastSeen": time(kind.last),
                "fields": .int(Int64(fields.count)), "newFields": .array(fields.filter { $0.value.firstSeen > kind.first }.map(render)),
                "missingFields": .array(fields.filter { $0.value.lastSeen < kind.last }.map(render)),
            ]
        }
        return ["provider": .string(provider), "data": .array(data), "next": .null]
    }
}
