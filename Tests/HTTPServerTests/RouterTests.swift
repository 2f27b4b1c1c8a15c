import HTTPCore
import HTTPServer
import XCTest

final class RouterTests: XCTestCase {
    private let ok = RouteHandler.inline { _ in HTTPResponse(status: 200) }

    private func router() -> Router {
        Router([
            Route("GET", "/healthz", ok),
            Route("GET", "/v1/sessions/{session}/groups/{group}", ok),
            Route("PATCH", "/v1/sessions/{session}/groups/{group}", ok),
            Route("POST", "/v1/sessions/{session}/groups/join", ok),
        ])
    }

    func testMatchesStaticRoute() throws {
        let (route, parameters) = try router().match(method: "GET", path: "/healthz")
        XCTAssertEqual(route.pattern, "/healthz")
        XCTAssertTrue(parameters.isEmpty)
    }

    func testPercentDecodesParameters() throws {
        let (_, parameters) = try router().match(method: "GET", path: "/v1/sessions/alice/groups/120363%40g.us")
        XCTAssertEqual(parameters["session"], "alice")
        XCTAssertEqual(parameters["group"], "120363@g.us")
    }

    func testLiteralSegmentWinsOverParameterByMethod() throws {
        let (route, _) = try router().match(method: "POST", path: "/v1/sessions/alice/groups/join")
        XCTAssertEqual(route.pattern, "/v1/sessions/{session}/groups/join")
    }

    func testPathBelongsToItsMostSpecificPattern() {
        // `/groups/join` is its own resource, as OpenAPI matches paths: other methods are not `/groups/{group}`'s.
        XCTAssertThrowsError(try router().match(method: "GET", path: "/v1/sessions/alice/groups/join")) { error in
            XCTAssertEqual(error as? RoutingError, .methodNotAllowed(allowed: ["POST"]))
        }
        let reversed = Router(router().routes.reversed())
        XCTAssertEqual(try reversed.match(method: "POST", path: "/v1/sessions/alice/groups/join").0.pattern, "/v1/sessions/{session}/groups/join")
        XCTAssertEqual(try reversed.match(method: "GET", path: "/v1/sessions/alice/groups/joins").0.pattern, "/v1/sessions/{session}/groups/{group}")
    }

    func testHeadIsServedByGet() throws {
        XCTAssertEqual(try router().match(method: "HEAD", path: "/healthz").0.method, "GET")
    }

    func testUnknownPathIsNotFound() {
        XCTAssertThrowsError(try router().match(method: "GET", path: "/nope")) { error in
            XCTAssertEqual(error as? RoutingError, .notFound(path: "/nope"))
        }
    }

    func testTrailingSlashIsNotFound() {
        XCTAssertThrowsError(try router().match(method: "GET", path: "/healthz/"))
    }

    func testEmptyParameterSegmentIsNotFound() {
        XCTAssertThrowsError(try router().match(method: "GET", path: "/v1/sessions//groups/x")) { error in
            XCTAssertEqual(error as? RoutingError, .notFound(path: "/v1/sessions//groups/x"))
        }
    }

    func testWrongMethodListsAllowedMethods() {
        XCTAssertThrowsError(try router().match(method: "DELETE", path: "/v1/sessions/a/groups/b")) { error in
            XCTAssertEqual(error as? RoutingError, .methodNotAllowed(allowed: ["GET", "HEAD", "PATCH"]))
        }
    }

    func testMalformedPercentEncodingIsRefused() {
        XCTAssertThrowsError(try router().match(method: "GET", path: "/v1/sessions/a/groups/%4")) { error in
            XCTAssertEqual(error as? RoutingError, .malformedPath)
        }
        XCTAssertThrowsError(try router().match(method: "GET", path: "/v1/sessions/a/groups/%FF")) { error in
            XCTAssertEqual(error as? RoutingError, .malformedPath, "invalid UTF-8 after decoding")
        }
    }
}
