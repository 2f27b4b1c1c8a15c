import Foundation
import HTTPCore
import JSONCore
import Support

/// Answers an adapter's calls from a fixture's recorded exchanges, in order. The first call that differs (or
/// comes when none is expected) is recorded as the case's failure, and the adapter gets a transport error.
public final class ReplayTransport: HTTPTransport, @unchecked Sendable {
    public static let baseURL = "http://contract.invalid"

    private let exchanges: [Fixture.Exchange]
    private let state = LockedValue<(next: Int, mismatch: String?)>((0, nil))

    public init(_ exchanges: [Fixture.Exchange]) { self.exchanges = exchanges }

    /// Calls made so far.
    public var callCount: Int { state.get().next }
    /// The first difference between what the adapter did and what the fixture says.
    public var mismatch: String? { state.get().mismatch }
    /// Expected calls that were never made.
    public var missingCalls: [Fixture.Exchange] { Array(exchanges.dropFirst(min(state.get().next, exchanges.count))) }

    public func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        let index = state.withLock { state -> Int in
            defer { state.next += 1 }
            return state.next
        }
        let (path, query) = ReplayTransport.split(request.url)
        guard index < exchanges.count else {
            return try fail("call \(index + 1) was not expected: \(request.method) \(path)")
        }
        let expected = exchanges[index]
        if let difference = ReplayTransport.difference(expected, request, path: path, query: query) {
            return try fail("call \(index + 1) (\(expected.method) \(expected.path)): \(difference)")
        }
        switch expected.response {
        case .timeout: throw TransportError(.timeout, "fixture: the provider did not answer in time")
        case .connectionError: throw TransportError(.connectionRefused, "fixture: the connection failed")
        case .reply(let status, let headers, let body):
            return TransportResponse(status: status, headers: ReplayTransport.headers(headers), body: body)
        }
    }

    /// A recorded answer's headers, JSON by default (fixtures rarely spell out `Content-Type`).
    public static func headers(_ recorded: JSONObject) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for member in recorded { headers.add(member.key, member.value.stringValue ?? member.value.text) }
        if headers["content-type"] == nil { headers.add("Content-Type", "application/json") }
        return headers
    }

    private func fail(_ message: String) throws(TransportError) -> TransportResponse {
        state.withLock { if $0.mismatch == nil { $0.mismatch = message } }
        throw TransportError(.other, "contract replay: \(message)")
    }

    /// The first way a request differs from the recorded one, or nil.
    public static func difference(_ expected: Fixture.Exchange, _ request: TransportRequest, path: String, query: [(String, String)]) -> String? {
        if request.method != expected.method { return "method: expected \(expected.method) but got \(request.method)" }
        let decodedExpected = PercentDecoding.decode(expected.path) ?? expected.path
        if path != decodedExpected { return "path: expected \(decodedExpected) but got \(path)" }
        if let wanted = expected.query {
            let expectedPairs = Set(wanted.members.map { "\($0.key)=\($0.value.stringValue ?? $0.value.text)" })
            let actualPairs = Set(query.map { "\($0.0)=\($0.1)" })
            if expectedPairs != actualPairs {
                return "query: expected \(expectedPairs.sorted()) but got \(actualPairs.sorted())"
            }
        }
        for member in expected.headers {
            let want = member.value.stringValue ?? member.value.text
            guard let got = request.headers[member.key] else { return "header \(member.key): expected \(want) but it is missing" }
            if got != want { return "header \(member.key): expected \(want) but got \(got)" }
        }
        if let wanted = expected.body {
            let bytes = request.body ?? []
            switch wanted {
            case .some(.null):
                if !bytes.isEmpty { return "body: expected none but got \(String(decoding: bytes.prefix(200), as: UTF8.self))" }
            case .some(let json):
                guard let actual = try? JSONParser.parse(bytes) else {
                    return "body: expected \(json.text) but got \(bytes.isEmpty ? "no body" : "non-JSON: " + String(decoding: bytes.prefix(200), as: UTF8.self))"
                }
                if let difference = Matcher.difference(expected: json, actual: actual, path: "body", strict: true) { return difference }
            case .none: break
            }
        }
        return nil
    }

    /// The percent-decoded path and the decoded query pairs of an absolute URL.
    public static func split(_ url: String) -> (String, [(String, String)]) {
        var rest = url
        if let scheme = rest.range(of: "://") { rest = String(rest[scheme.upperBound...]) }
        if let slash = rest.firstIndex(of: "/") { rest = String(rest[slash...]) } else { rest = "/" }
        let request = HTTPRequest(method: "GET", target: rest)
        return (PercentDecoding.decode(request.path) ?? request.path, request.queryItems.map { ($0.name, $0.value) })
    }
}
