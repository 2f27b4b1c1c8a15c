extension JSON {
    /// The member `key` of an object, or nil for a missing key or a non-object.
    public subscript(key: String) -> JSON? {
        guard case .object(let object) = resolved else { return nil }
        return object[key]
    }

    /// The element at `index` of an array, or nil when out of range or not an array.
    public subscript(index: Int) -> JSON? {
        guard case .array(let array) = resolved, array.indices.contains(index) else { return nil }
        return array[index]
    }

    public var stringValue: String? {
        if case .string(let s) = resolved { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = resolved { return b }
        return nil
    }

    /// The value as an integer when it is one exactly (`3` or `3.0`, not `3.5`).
    public var intValue: Int64? {
        switch resolved {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int64(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch resolved {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var arrayValue: [JSON]? {
        if case .array(let a) = resolved { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = resolved { return o }
        return nil
    }

    public var isNull: Bool {
        if case .null = resolved { return true }
        return false
    }

    /// The JSON type name used in error messages and the contract `$type` matcher.
    public var typeName: String {
        switch resolved {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        case .raw: return "null"
        }
    }
}
