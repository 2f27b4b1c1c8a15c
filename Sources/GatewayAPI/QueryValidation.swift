import Foundation
import GroupModel
import HTTPCore
import JSONCore

/// Checks a request's query against the parameters its route declares, with the same schemas `/openapi.json`
/// shows, so the document and the server cannot disagree: a value outside its schema is `400 invalid_request`
/// naming the parameter. Schemas use a small subset of JSON Schema: `type` (string, integer, array of strings
/// as a comma-separated list), `minLength`/`maxLength` (in Unicode scalars, as JSON Schema counts), `pattern`,
/// `enum`, `minimum`/`maximum`, `minItems`/`maxItems` and `items`.
struct QueryValidation: Sendable {
    private let rules: [(name: String, rule: Rule)]

    init(_ parameters: [APIRoute.QueryParameter]) {
        rules = parameters.map { ($0.name, Rule($0.schema, name: $0.name)) }
    }

    var isEmpty: Bool { rules.isEmpty }

    func check(_ items: [(name: String, value: String)]) throws(GatewayError) {
        for item in items {
            guard let rule = rules.first(where: { $0.name == item.name })?.rule else { continue }
            try rule.check(item.value, parameter: item.name)
        }
    }

    /// The handler, run only for requests whose query fits the declared parameters.
    func wrap(_ handler: APIRoute.Handler) -> APIRoute.Handler {
        guard !isEmpty else { return handler }
        switch handler {
        case .inline(let body):
            return .inline { request in
                try check(request.request.queryItems)
                return try body(request)
            }
        case .async(let body):
            return .async { request in
                try check(request.request.queryItems)
                return try await body(request)
            }
        case .fast(let fast, let slow):
            return .fast(
                { request in
                    try check(request.request.queryItems)
                    return try fast(request)
                },
                slow: { request in
                    try check(request.request.queryItems)
                    return try await slow(request)
                })
        case .deferred(let body):
            return .deferred { request, respond in
                try check(request.request.queryItems)
                try body(request, respond)
            }
        }
    }

    /// One schema, compiled. Unchecked: every property is immutable, and NSRegularExpression is thread-safe.
    final class Rule: @unchecked Sendable {
        enum Kind: Sendable { case string, integer, list }
        let kind: Kind
        let minLength: Int?
        let maxLength: Int?
        let pattern: NSRegularExpression?
        let patternText: String?
        let cases: [String]?
        let minimum: Int64?
        let maximum: Int64?
        let minItems: Int?
        let maxItems: Int?
        let items: Rule?

        init(_ schema: JSON, name: String) {
            let known: Set<String> = ["type", "minLength", "maxLength", "pattern", "enum", "minimum", "maximum", "minItems", "maxItems", "items", "description"]
            let unknown = (schema.objectValue?.keys ?? []).filter { !known.contains($0) }
            precondition(unknown.isEmpty, "query parameter '\(name)': unsupported schema keywords \(unknown)")
            switch schema["type"]?.stringValue {
            case "integer": kind = .integer
            case "array": kind = .list
            case "string", nil: kind = .string
            case let other?: preconditionFailure("query parameter '\(name)': unsupported type \(other)")
            }
            minLength = schema["minLength"]?.intValue.map(Int.init)
            maxLength = schema["maxLength"]?.intValue.map(Int.init)
            patternText = schema["pattern"]?.stringValue
            pattern = patternText.map { text in
                guard let regex = try? NSRegularExpression(pattern: text) else { preconditionFailure("query parameter '\(name)': bad pattern \(text)") }
                return regex
            }
            cases = schema["enum"]?.arrayValue?.map { element in
                guard let text = element.stringValue else { preconditionFailure("query parameter '\(name)': only string enums") }
                return text
            }
            minimum = schema["minimum"]?.intValue
            maximum = schema["maximum"]?.intValue
            minItems = schema["minItems"]?.intValue.map(Int.init)
            maxItems = schema["maxItems"]?.intValue.map(Int.init)
            items = schema["items"].map { Rule($0, name: name) }
        }

        func check(_ value: String, parameter: String) throws(GatewayError) {
            func fail(_ message: String) -> GatewayError {
                .invalidRequest("Query parameter '\(parameter)' \(message).", details: ["parameter": .string(parameter)])
            }
            switch kind {
            case .integer:
                guard let number = Int64(value), number >= (minimum ?? .min), number <= (maximum ?? .max) else {
                    throw fail("must be an integer from \(minimum ?? Int64.min) to \(maximum ?? Int64.max)")
                }
            case .list:
                let elements = value.unicodeScalars.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
                if let minItems, elements.count < minItems { throw fail("must list at least \(minItems) value\(minItems == 1 ? "" : "s")") }
                if let maxItems, elements.count > maxItems { throw fail("must list at most \(maxItems) values") }
                for element in elements { try items?.check(element, parameter: parameter) }
            case .string:
                if let cases, !cases.contains(value) { throw fail("has an unknown value '\(value)'; known: \(cases.joined(separator: ", "))") }
                let length = value.unicodeScalars.count
                if let minLength, length < minLength { throw fail(minLength == 1 ? "must not be empty" : "must be at least \(minLength) characters") }
                if let maxLength, length > maxLength { throw fail("must be at most \(maxLength) characters") }
                if let pattern, let patternText,
                    pattern.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) == nil
                {
                    throw fail("must match \(patternText)")
                }
            }
        }
    }
}
