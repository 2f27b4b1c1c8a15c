import JSONCore
import Support

/// Reads a config object with paths in every error, `${ENV}` interpolation in every string, and unknown keys
/// refused (a typo in a config file should stop the start, not be ignored).
struct ConfigReader {
    let object: JSONObject
    let path: String
    let environment: [String: String]

    init(_ json: JSON, path: String, environment: [String: String]) throws(ConfigError) {
        guard let object = json.objectValue else { throw ConfigError(path, "must be an object") }
        self.object = object
        self.path = path
        self.environment = environment
    }

    func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func allowOnly(_ keys: Set<String>) throws(ConfigError) {
        for key in object.keys where !keys.contains(key) {
            throw ConfigError(at(key), "unknown key; expected one of: \(keys.sorted().joined(separator: ", "))")
        }
    }

    func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let raw = value.stringValue else { throw ConfigError(at(key), "must be a string") }
        return try ConfigReader.interpolate(raw, path: at(key), environment: environment)
    }

    func secret(_ key: String) throws(ConfigError) -> Secret? { try string(key).map(Secret.init) }

    func int(_ key: String, range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        let number: Int64?
        if let text = value.stringValue {
            number = Int64(try ConfigReader.interpolate(text, path: at(key), environment: environment))
        } else {
            number = value.intValue
        }
        guard let number, range.contains(Int(number)) else { throw ConfigError(at(key), "must be an integer from \(range.lowerBound) to \(range.upperBound)") }
        return Int(number)
    }

    func double(_ key: String, range: ClosedRange<Double>) throws(ConfigError) -> Double? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.doubleValue, range.contains(number) else {
            throw ConfigError(at(key), "must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let bool = value.boolValue else { throw ConfigError(at(key), "must be true or false") }
        return bool
    }

    func child(_ key: String) throws(ConfigError) -> ConfigReader? {
        guard let value = object[key], !value.isNull else { return nil }
        return try ConfigReader(value, path: at(key), environment: environment)
    }

    /// A JSON object with every string interpolated (provider accounts, credentials).
    func interpolatedObject(_ key: String) throws(ConfigError) -> JSONObject? {
        guard let value = object[key], !value.isNull else { return nil }
        guard case .object = value else { throw ConfigError(at(key), "must be an object") }
        return try ConfigReader.interpolateAll(value, path: at(key), environment: environment).objectValue
    }

    /// `value` with every string interpolated. `missing(path, NAME)`, when given, supplies the value of a variable
    /// that is not set instead of the error (the doctor collects every missing one this way).
    static func interpolateAll(
        _ value: JSON, path: String, environment: [String: String], missing: ((String, String) -> String)? = nil
    ) throws(ConfigError) -> JSON {
        switch value {
        case .string(let text): return .string(try interpolate(text, path: path, environment: environment, missing: missing))
        case .array(let items):
            var out: [JSON] = []
            for (index, item) in items.enumerated() {
                out.append(try interpolateAll(item, path: "\(path)[\(index)]", environment: environment, missing: missing))
            }
            return .array(out)
        case .object(let object):
            var out = JSONObject()
            for member in object {
                let child = path.isEmpty ? member.key : "\(path).\(member.key)"
                out[member.key] = try interpolateAll(member.value, path: child, environment: environment, missing: missing)
            }
            return .object(out)
        default: return value
        }
    }

    /// Replaces `${NAME}` with the environment variable; a missing variable is an error naming it (or, with
    /// `missing`, whatever that answers for it).
    static func interpolate(
        _ text: String, path: String, environment: [String: String], missing: ((String, String) -> String)? = nil
    ) throws(ConfigError) -> String {
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw ConfigError(path, "unterminated ${…} reference")
            }
            let name = String(rest[start.upperBound..<end])
            guard !name.isEmpty, name.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 })
            else { throw ConfigError(path, "'${\(name)}' is not a valid environment variable reference") }
            if let value = environment[name] {
                out += value
            } else if let missing {
                out += missing(path, name)
            } else {
                throw ConfigError(path, "refers to ${\(name)}, which is not set in the environment")
            }
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }
}

extension Substring {
    func range(of needle: String) -> Range<Substring.Index>? {
        guard !needle.isEmpty else { return nil }
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(needle) { return index..<self.index(index, offsetBy: needle.count) }
            index = self.index(after: index)
        }
        return nil
    }
}
