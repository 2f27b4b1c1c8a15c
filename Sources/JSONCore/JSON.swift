/// A JSON value.
///
/// Integers and fractional numbers stay distinct (`5` is `.int`, `5.0` is `.double`) so that ids and counts
/// round-trip exactly; equality treats them as numbers (`.int(5) == .double(5)`). Objects keep their key
/// order for stable output, but compare without regard to it.
public enum JSON: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)
    /// Already-serialized JSON text, produced by our own writer and copied verbatim on output: a cached
    /// rendering that is not rebuilt for every response. Reading it (subscripts, equality) parses it.
    case raw([UInt8])
}

extension JSON {
    /// The value with `.raw` text parsed (other values unchanged).
    public var resolved: JSON {
        if case .raw(let bytes) = self { return (try? JSONParser.parse(bytes)) ?? .null }
        return self
    }
}

// MARK: - Equality

extension JSON: Hashable {
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case let (.raw(a), .raw(b)) where a == b: return true
        case (.raw, _), (_, .raw): return lhs.resolved == rhs.resolved
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.int(a), .double(b)), let (.double(b), .int(a)): return Double(a) == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .int(let i): hasher.combine(Double(i))
        case .double(let d): hasher.combine(d)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let o): hasher.combine(o)
        case .raw: resolved.hash(into: &hasher)
        }
    }
}

// MARK: - Literals

extension JSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        var object = JSONObject()
        for (key, value) in elements { object.appendUnchecked(key, value) }
        assert(Set(object.keys).count == object.count, "duplicate key in a JSON object literal")
        self = .object(object)
    }
}

// MARK: - Optional conveniences

extension JSON {
    /// `.string(value)` or `.null` when `value` is nil: canonical resources render unknown values as `null`.
    public static func string(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }
    /// `.int(value)` or `.null`.
    public static func int(_ value: Int?) -> JSON { value.map { .int(Int64($0)) } ?? .null }
    /// `.bool(value)` or `.null`.
    public static func bool(_ value: Bool?) -> JSON { value.map(JSON.bool) ?? .null }
}
