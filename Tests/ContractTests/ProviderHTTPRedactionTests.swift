import HTTPCore
import JSONCore
import ProviderKit
import XCTest

/// Providers that echo the request in their error bodies must not get the gateway's credentials into errors,
/// events or logs: `ProviderHTTP` scrubs them from every answer.
final class ProviderHTTPRedactionTests: XCTestCase {
    /// Answers with the request's headers echoed in the body.
    struct EchoTransport: HTTPTransport {
        func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
            var echoed = JSONObject()
            for field in request.headers.fields { echoed[field.name] = .string(field.value) }
            return TransportResponse(status: 401, body: JSONWriter().bytes(["detail": "bad credentials", "headers": .object(echoed)]))
        }
    }

    func testEchoedCredentialsAreScrubbedFromTheReply() async throws {
        var headers = HTTPHeaders()
        headers.set("Authorization", "Bearer tok-0123456789abcdef")
        headers.set("X-API-Secret", "sec-fedcba9876543210")
        let http = ProviderHTTP(kind: "test", baseURL: "http://127.0.0.1:1", headers: headers, timeout: 1, transport: EchoTransport())
        let reply = try await http.call("POST", "/send", json: ["text": "hi"])
        XCTAssertFalse(reply.text.contains("0123456789abcdef"), reply.text)
        XCTAssertFalse(reply.text.contains("fedcba9876543210"), reply.text)
        XCTAssertEqual(reply.json?["headers"]?["Authorization"]?.stringValue, "[redacted]")
        XCTAssertEqual(reply.json?["headers"]?["X-API-Secret"]?.stringValue, "[redacted]")
        XCTAssertEqual(reply.json?["headers"]?["Content-Type"]?.stringValue, "application/json", "other headers are untouched")
        XCTAssertEqual(reply.json?["detail"]?.stringValue, "bad credentials")
    }

    func testBareTokenIsScrubbedToo() async throws {
        struct TokenEcho: HTTPTransport {
            func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
                TransportResponse(status: 403, body: Array("{\"detail\": \"token tok-0123456789abcdef is not allowed; tok-0123456789abcdef!\"}".utf8))
            }
        }
        var headers = HTTPHeaders()
        headers.set("Authorization", "Bearer tok-0123456789abcdef")
        let reply = try await ProviderHTTP(kind: "test", baseURL: "http://x", headers: headers, timeout: 1, transport: TokenEcho()).call("GET", "/")
        XCTAssertEqual(reply.json?["detail"]?.stringValue, "token [redacted] is not allowed; [redacted]!")
    }
}
