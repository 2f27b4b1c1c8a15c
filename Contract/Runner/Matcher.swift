import Foundation
import JSONCore

/// Compares an actual value with an expected one as the contract format says: objects as subsets, arrays
/// element by element and in length, and the matchers `$any`, `$type`, `$regex`, `$absent`.
public enum Matcher {
    /// The first difference, as `path: expected … but got …`, or nil when `actual` matches.
    /// - Parameter strict: objects must have exactly the expected keys (request bodies are compared deep-equal).
    public static func difference(expected: JSON, actual: JSON?, path: String = "$", strict: Bool = false) -> String? {
        if let matcher = expected.objectValue, let first = matcher.members.first, matcher.count == 1, first.key.hasPrefix("$") {
            return match(first.key, first.value, actual: actual, path: path)
        }
        guard let actual else { return "\(path): expected \(expected.text) but the key is missing" }
        switch expected {
        case .object(let object):
            guard let actualObject = actual.objectValue else { return "\(path): expected an object but got \(actual.text)" }
            for member in object {
                if let difference = difference(expected: member.value, actual: actualObject[member.key], path: "\(path).\(member.key)", strict: strict) {
                    return difference
                }
            }
            if strict, let extra = actualObject.keys.first(where: { object[$0] == nil }) {
                return "\(path).\(extra): not expected, but got \(actualObject[extra]!.text)"
            }
            return nil
        case .array(let array):
            guard let actualArray = actual.arrayValue else { return "\(path): expected an array but got \(actual.text)" }
            guard actualArray.count == array.count else {
                return "\(path): expected \(array.count) elements but got \(actualArray.count): \(actual.text)"
            }
            for (index, element) in array.enumerated() {
                if let difference = difference(expected: element, actual: actualArray[index], path: "\(path)[\(index)]", strict: strict) {
                    return difference
                }
            }
            return nil
        default:
            return expected == actual ? nil : "\(path): expected \(expected.text) but got \(actual.text)"
        }
    }

    private static func match(_ name: String, _ argument: JSON, actual: JSON?, path: String) -> String? {
        switch name {
        case "$absent":
            return actual == nil ? nil : "\(path): expected no such key but got \(actual!.text)"
        case "$any":
            return actual == nil ? "\(path): expected a value but the key is missing" : nil
        case "$type":
            guard let actual else { return "\(path): expected a \(argument.stringValue ?? "?") but the key is missing" }
            return actual.typeName == argument.stringValue ? nil : "\(path): expected a \(argument.stringValue ?? "?") but got \(actual.text)"
        case "$regex":
            guard let pattern = argument.stringValue, let regex = try? NSRegularExpression(pattern: pattern) else {
                return "\(path): the $regex matcher needs a valid pattern"
            }
            guard let text = actual?.stringValue else { return "\(path): expected a string matching /\(pattern)/ but got \(actual?.text ?? "nothing")" }
            let found = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            return found ? nil : "\(path): expected a string matching /\(pattern)/ but got \(JSON.string(text).text)"
        default:
            return "\(path): unknown matcher \(name)"
        }
    }
}
