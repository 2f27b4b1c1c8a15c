/// Header fields in arrival order, looked up case-insensitively (RFC 9110 §5.1).
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Equatable {
        public let name: String
        public let value: String
        /// The lower-cased name, computed once.
        public let lowercasedName: String
        var key: String { lowercasedName }

        /// A field whose lower-cased name the caller already has (the parser builds both from the bytes).
        public init(name: String, lowercasedName: String, value: String) {
            self.name = name
            self.value = value
            self.lowercasedName = lowercasedName
        }

        public init(name: String, value: String) {
            self.name = name
            self.value = value
            self.lowercasedName = HTTPHeaders.lowercase(name)
        }
    }

    public private(set) var fields: [Field] = []

    public init() {}
    public init(_ pairs: [(String, String)]) { for (name, value) in pairs { add(name, value) } }
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    public var count: Int { fields.count }

    /// ASCII lower-casing that allocates nothing when the name is already lower case (the common case).
    static func lowercase(_ name: String) -> String {
        name.utf8.contains(where: { $0 >= 65 && $0 <= 90 }) ? name.lowercased() : name
    }

    public mutating func add(_ name: String, _ value: String) { fields.append(Field(name: name, value: value)) }

    public mutating func add(_ field: Field) { fields.append(field) }

    /// Replaces every field named `name` with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        let key = HTTPHeaders.lowercase(name)
        fields.removeAll { $0.key == key }
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        let key = HTTPHeaders.lowercase(name)
        return fields.first(where: { $0.key == key })?.value
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        let key = HTTPHeaders.lowercase(name)
        return fields.filter { $0.key == key }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// The elements of the list-valued field `name` (RFC 9110 §5.6.1) across all its lines: split on commas,
    /// trimmed of optional whitespace, lower-cased; empty elements are kept, for callers that must refuse them.
    public func tokens(_ name: String) -> [String] { HTTPHeaders.tokens(values(name)) }

    /// `tokens(_:)` for values already collected.
    public static func tokens(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { element in
            var view = element.unicodeScalars
            while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
            while let last = view.last, last == " " || last == "\t" { view.removeLast() }
            return String(view).lowercased()
        }
    }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
}
