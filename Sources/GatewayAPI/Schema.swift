import JSONCore

/// Small builders for the JSON Schemas (2020-12, as OpenAPI 3.1 uses) of the document.
enum Schema {
    static let string: JSON = ["type": "string"]
    static let integer: JSON = ["type": "integer"]
    static let boolean: JSON = ["type": "boolean"]
    static let dateTime: JSON = ["type": "string", "format": "date-time"]
    static let anyValue: JSON = [:]

    static func nullable(_ type: String) -> JSON { ["type": .array([.string(type), "null"])] }
    static let nullableString = nullable("string")
    static let nullableInteger = nullable("integer")
    static let nullableBoolean = nullable("boolean")
    static let nullableDateTime: JSON = ["type": ["string", "null"], "format": "date-time"]

    static func ref(_ name: String) -> JSON { ["$ref": .string("#/components/schemas/\(name)")] }
    static func nullableRef(_ name: String) -> JSON { ["oneOf": [ref(name), ["type": "null"]]] }
    static func array(_ items: JSON, maxItems: Int? = nil, minItems: Int? = nil) -> JSON {
        var object: JSONObject = ["type": "array", "items": items]
        if let maxItems { object["maxItems"] = .int(Int64(maxItems)) }
        if let minItems { object["minItems"] = .int(Int64(minItems)) }
        return .object(object)
    }
    static func enumeration(_ values: [String], nullable: Bool = false) -> JSON {
        var cases = values.map(JSON.string)
        if nullable { cases.append(.null) }
        return ["enum": .array(cases)]
    }
    static func string(min: Int? = nil, max: Int? = nil, pattern: String? = nil) -> JSON {
        var object: JSONObject = ["type": "string"]
        if let min { object["minLength"] = .int(Int64(min)) }
        if let max { object["maxLength"] = .int(Int64(max)) }
        if let pattern { object["pattern"] = .string(pattern) }
        return .object(object)
    }

    /// The schema, or JSON `null`.
    static func orNull(_ schema: JSON) -> JSON {
        guard var object = schema.objectValue else { return schema }
        switch object["type"] {
        case .string(let type)?:
            object["type"] = [.string(type), "null"]
            if let cases = object["enum"]?.arrayValue, !cases.contains(.null) { object["enum"] = .array(cases + [.null]) }
            return .object(object)
        case .array(let types)? where object["enum"] == nil:
            if !types.contains("null") { object["type"] = .array(types + ["null"]) }
            return .object(object)
        case nil where object["$ref"] == nil && object["enum"] != nil && object.count == 1:
            let cases = object["enum"]!.arrayValue!
            return cases.contains(.null) ? schema : ["enum": .array(cases + [.null])]
        default:
            return ["anyOf": [schema, ["type": "null"]]]
        }
    }

    /// An object; `closed` objects refuse unknown properties (request bodies). In a request body an optional field
    /// may be `null`, which means the same as leaving it out (FieldReader), so `closed` objects allow `null` for
    /// every property that is not required.
    static func object(_ properties: [(String, JSON)], required: [String] = [], closed: Bool = false, description: String? = nil) -> JSON {
        let properties = closed ? properties.map { required.contains($0.0) ? $0 : ($0.0, orNull($0.1)) } : properties
        var object: JSONObject = ["type": "object", "properties": .object(JSONObject(properties))]
        if !required.isEmpty { object["required"] = .array(required.map(JSON.string)) }
        if closed { object["additionalProperties"] = false }
        if let description { object["description"] = .string(description) }
        return .object(object)
    }

    /// A page of a collection: `{"data": [...], "next": cursor|null}`.
    static func page(_ item: String, extra: [(String, JSON)] = []) -> JSON {
        object([("data", array(ref(item))), ("next", nullableString)] + extra, required: ["data", "next"] + extra.map(\.0))
    }
}
