/// A value bound to or read from SQLite.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var int: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var double: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    public var string: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    public var bytes: [UInt8]? {
        switch self {
        case .blob(let value): value
        case .text(let value): Array(value.utf8)
        default: nil
        }
    }

    public var bool: Bool? { int.map { $0 != 0 } }
    public var isNull: Bool { self == .null }
}

extension SQLValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral
{
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(booleanLiteral value: Bool) { self = .integer(value ? 1 : 0) }
}

extension SQLValue {
    public init(_ value: Int) { self = .integer(Int64(value)) }
    public init(_ value: Int64) { self = .integer(value) }
    public init(_ value: Bool) { self = .integer(value ? 1 : 0) }
    public init(_ value: String?) { self = value.map(SQLValue.text) ?? .null }
    public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    public init(_ value: Double?) { self = value.map(SQLValue.real) ?? .null }
    public init(_ value: [UInt8]?) { self = value.map(SQLValue.blob) ?? .null }
}

/// One result row, by column index or name.
public struct Row: Sendable {
    public let values: [SQLValue]
    let columns: [String]

    public subscript(index: Int) -> SQLValue { values[index] }

    public subscript(name: String) -> SQLValue {
        guard let index = columns.firstIndex(of: name) else { preconditionFailure("no column \(name) in result") }
        return values[index]
    }

    public func int(_ index: Int) -> Int64 { values[index].int ?? 0 }
    public func string(_ index: Int) -> String? { values[index].string }
    public func bool(_ index: Int) -> Bool { values[index].bool ?? false }
}
