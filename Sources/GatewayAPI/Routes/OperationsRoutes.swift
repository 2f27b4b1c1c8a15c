import GroupModel
import HTTPCore
import JSONCore
import Storage
import Support

/// `/healthz`, `/readyz`, `/metrics`, `/openapi.json`: open, and cheap enough to run on the event loop.
enum OperationsRoutes {
    static let healthBody: [UInt8] = JSON.object(["status": "ok"]).bytes

    static func routes(_ env: APIEnvironment, openAPI: @escaping @Sendable () -> [UInt8]) -> [APIRoute] {
        [
            APIRoute(
                "GET", "/healthz", id: "getHealth", tag: "operations", summary: "Liveness: the process answers.", access: .open,
                responses: [.init(200, "Alive.", Schema.ref("Health"))],
                handler: .inline { _ in
                    HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: healthBody)
                }),
            APIRoute(
                "GET", "/readyz", id: "getReadiness", tag: "operations", summary: "Readiness: the database answers.", access: .open,
                responses: [.init(200, "Ready.", Schema.ref("Readiness")), .init(503, "Not ready.", Schema.ref("Readiness"))],
                handler: .async { _ in
                    let database: String
                    do {
                        _ = try env.database.read { db in try db.queryOne("SELECT 1") }
                        database = "ok"
                    } catch {
                        database = "unavailable"
                    }
                    let ready = database == "ok"
                    return .json(["status": .string(ready ? "ready" : "not_ready"), "checks": ["database": .string(database)]], status: ready ? 200 : 503)
                }),
            APIRoute(
                "GET", "/metrics", id: "getMetrics", tag: "operations", summary: "Prometheus metrics (text format 0.0.4).", access: .open,
                responses: [.init(200, "Metrics.", Schema.string, contentType: "text/plain")],
                handler: .inline { _ in
                    .text(env.metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
                }),
            APIRoute(
                "GET", "/openapi.json", id: "getOpenAPI", tag: "operations", summary: "This API's OpenAPI 3.1 document.", access: .open,
                responses: [.init(200, "The document.", ["type": "object"])],
                handler: .inline { _ in
                    HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: openAPI())
                }),
        ]
    }
}
