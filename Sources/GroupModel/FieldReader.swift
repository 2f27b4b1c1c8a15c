import JSONCore

/// Reads fields of a JSON request body with errors that name the field and say what was expected:
/// `"'participants' must be an array of strings"` with `details.field`. Unknown fields are refused, so a typo
/// is an error instead of a silently ignored option.
public struct FieldReader: Sendable {
    public let object: JSONObject
    /// Dotted path of this object in the body, for messages (`settings.announce`).
    public let path: String

    public init(_ json: JSON, path: String = "") throws(GatewayError) {
        guard case .object(let object) = json else {
            throw GatewayError.invalidRequest(path.isEmpty ? "The request body must be a JSON object." : "'\(path)' must be an object.", details: ["field": .string(path)])
        }
        self.object = object
        self.path = path
    }

    /// Parses a request body: empty bodies read as `{}` when `emptyIsObject`.
    public static func body(_ bytes: [UInt8], emptyIsObject: Bool = false) throws(GatewayError) -> FieldReader {
        if bytes.isEmpty {
            guard emptyIsObject else { throw GatewayError.invalidRequest("A JSON request body is required.") }
            return try FieldReader(.object(JSONObject()))
        }
        do {
            return try FieldReader(try JSONParser.parse(bytes))
        } catch let error as JSONParseError {
            throw GatewayError.invalidRequest("The request body is not valid JSON: \(error.description).")
        } catch let error as GatewayError {
            throw error
        } catch {
            throw GatewayError.invalidRequest("The request body is not valid JSON.")
        }
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func fail(_ key: String, _ message: String) -> GatewayError {
        GatewayError.invalidRequest("'\(name(key))' \(message).", details: ["field": .string(name(key))])
    }

    /// Refuses fields outside `keys`.
    public func allowOnly(_ keys: Set<String>) throws(GatewayError) {
        for key in object.keys where !keys.contains(key) {
            throw GatewayError.invalidRequest(
                "Unknown field '\(name(key))'; expected one of: \(keys.sorted().joined(separator: ", ")).", details: ["field": .string(name(key))])
        }
    }

    public func has(_ key: String) -> Bool { object[key] != nil }
    public func isNull(_ key: String) -> Bool { object[key]?.isNull == true }

    public func string(_ key: String, required: Bool = false, maxLength: Int? = nil, minLength: Int = 0) throws(GatewayError) -> String? {
        guard let value = object[key], !value.isNull else {
            if required { throw fail(key, "is required") }
            return nil
        }
        guard let string = value.stringValue else { throw fail(key, "must be a string") }
        let length = string.count
        if length < minLength { throw fail(key, minLength == 1 ? "must not be empty" : "must be at least \(minLength) characters") }
        if let maxLength, length > maxLength { throw fail(key, "must be at most \(maxLength) characters") }
        return string
    }

    public func bool(_ key: String, required: Bool = false) throws(GatewayError) -> Bool? {
        guard let value = object[key], !value.isNull else {
            if required { throw fail(key, "is required") }
            return nil
        }
        guard let bool = value.boolValue else { throw fail(key, "must be true or false") }
        return bool
    }

    public func int(_ key: String, required: Bool = false, range: ClosedRange<Int64>? = nil) throws(GatewayError) -> Int64? {
        guard let value = object[key], !value.isNull else {
            if required { throw fail(key, "is required") }
            return nil
        }
        guard let int = value.intValue else { throw fail(key, "must be an integer") }
        if let range, !range.contains(int) { throw fail(key, "must be between \(range.lowerBound) and \(range.upperBound)") }
        return int
    }

    public func stringArray(_ key: String, required: Bool = false, minCount: Int = 0, maxCount: Int, maxLength: Int = 256)
        throws(GatewayError) -> [String]?
    {
        guard let value = object[key], !value.isNull else {
            if required { throw fail(key, "is required") }
            return nil
        }
        guard let array = value.arrayValue else { throw fail(key, "must be an array of strings") }
        if array.count < minCount { throw fail(key, minCount == 1 ? "must not be empty" : "must have at least \(minCount) entries") }
        if array.count > maxCount { throw fail(key, "must have at most \(maxCount) entries") }
        var strings: [String] = []
        for (index, element) in array.enumerated() {
            guard let string = element.stringValue else { throw fail("\(key)[\(index)]", "must be a string") }
            guard string.count <= maxLength else { throw fail("\(key)[\(index)]", "must be at most \(maxLength) characters") }
            strings.append(string)
        }
        return strings
    }

    public func object(_ key: String) throws(GatewayError) -> FieldReader? {
        guard let value = object[key], !value.isNull else { return nil }
        return try FieldReader(value, path: name(key))
    }

    public func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type, required: Bool = false) throws(GatewayError) -> E?
    where E.RawValue == String {
        guard let text = try string(key, required: required) else { return nil }
        guard let value = E(rawValue: text) else {
            throw fail(key, "must be one of: \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
