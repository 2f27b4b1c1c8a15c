import Foundation
import GatewayAPI
import HTTPServer
import Switchboard
import JSONCore
import TestSupport
import XCTest

/// `/openapi.json` describes exactly the routes the server answers, and is a valid OpenAPI 3.1 document.
final class OpenAPITests: XCTestCase {
    func testDocumentListsEveryRouteAndNothingElse() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let document = try server.client(key: nil).get("/openapi.json").json
        let paths = try XCTUnwrap(document?["paths"]?.objectValue)
        var documented = Set<String>()
        for path in paths {
            for method in path.value.objectValue?.keys ?? [] { documented.insert("\(method.uppercased()) \(path.key)") }
        }
        let routed = Set(server.gateway.api.makeRouter().routes.map { "\($0.method) \($0.pattern)" })
        XCTAssertEqual(documented, routed)
        XCTAssertGreaterThan(routed.count, 8)
    }

    func testEveryOperationHasAnIdAnErrorResponseAndItsPathParameters() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let document = try XCTUnwrap(server.client(key: nil).get("/openapi.json").json)
        var operationIds = Set<String>()
        for path in document["paths"]!.objectValue! {
            let names = path.key.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
            for operation in path.value.objectValue! {
                let id = try XCTUnwrap(operation.value["operationId"]?.stringValue)
                XCTAssertTrue(operationIds.insert(id).inserted, "duplicate operationId \(id)")
                XCTAssertNotNil(operation.value["responses"]?["default"], "\(id) documents the error shape")
                let declared = (operation.value["parameters"]?.arrayValue ?? []).filter { $0["in"] == "path" }.compactMap { $0["name"]?.stringValue }
                XCTAssertEqual(Set(declared), Set(names), "\(id) path parameters")
            }
        }
    }

    func testDocumentIsValidOpenAPI31() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let (status, output) = try Script.run("python3", [Script.path("validate_openapi.py"), "\(server.baseURL)/openapi.json"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("valid OpenAPI 3.1.0"), output)
    }
}
