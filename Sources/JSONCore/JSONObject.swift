/// A JSON object that keeps insertion order (for stable, readable output) and rejects nothing:
/// setting an existing key replaces its value in place.
public struct JSONObject: Sendable, Sequence {
    public struct Member: Sendable {
        public let key: String
        public var value: JSON
    }

    public private(set) var members: [Member]

    public init() { members = [] }

    public init(_ pairs: [(String, JSON)]) {
        members = []
        members.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    public subscript(key: String) -> JSON? {
        get { members.first(where: { $0.key == key })?.value }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Appends without checking for an existing key; the parser uses it after its own duplicate check.
    mutating func appendUnchecked(_ key: String, _ value: JSON) {
        members.append(Member(key: key, value: value))
    }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }
}

extension JSONObject: Hashable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for member in lhs.members {
            guard let other = rhs[member.key], other == member.value else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: combine the sorted keys only; values are compared by ==.
        hasher.combine(count)
        for key in keys.sorted() { hasher.combine(key) }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Literals are written by us with distinct keys: appended without the per-key search (checked in debug builds).
    public init(dictionaryLiteral elements: (String, JSON)...) {
        members = elements.map { Member(key: $0.0, value: $0.1) }
        assert(Set(members.map(\.key)).count == members.count, "duplicate key in a JSON object literal")
    }
}
