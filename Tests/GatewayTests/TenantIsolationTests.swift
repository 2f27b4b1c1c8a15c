import Foundation
import GatewayAPI
import JSONCore
import Support
import Switchboard
import TestSupport
import Webhooks
import XCTest

/// The BOLA matrix: two tenants (scoped keys for sessions `alpha` and `beta`), every route of `/openapi.json`,
/// every resource kind. Tenant A asking for tenant B's session, group, message, event, subscription, delivery or
/// key — to read, change or delete it — gets exactly the answer it gets for one that does not exist: same status,
/// same code, same message (ids aside). A route added without a probe here fails the test.
final class TenantIsolationTests: XCTestCase {
    /// One request shape for a route: path parameters (and optional query and body), once naming tenant B's
    /// resource and once a missing one.
    struct Probe {
        var cross: [String: String]
        var missing: [String: String]
        var query: (cross: String, missing: String)? = nil
        var body: JSON? = nil
    }

    private var server: TestGateway!
    private var admin: TestClient!
    private var tenantA: TestClient!
    private var tenantB: TestClient!
    /// Tenant B's resources, and tenant A's own subscription.
    private var ids: [String: String] = [:]

    override func setUpWithError() throws {
        server = try TestGateway { config in
            config.webhooks.allowPrivateTargets = true
            // Two requests per probe, back to back: more than a scoped key's default burst (100) once the gateway
            // answers faster than it refills (50/s), and a 429 then stands where the 404 is compared (seen on a clean
            // clone). Rate limits are RateLimitTests' concern: the tenants' keys are unlimited here.
            config.rateLimits.scoped = nil
        }
        admin = try server.client()
        for (session, phone) in [("alpha", "+15550000101"), ("beta", "+15550000102"), ("gamma", "+15550000103")] {
            let created = try admin.post("/v1/sessions", ["id": .string(session), "provider": "native", "phone": .string(phone)])
            XCTAssertEqual(created.status, 201, created.text)
        }
        let keyA = try XCTUnwrap(try admin.post("/v1/keys", ["name": "tenant-a", "sessions": ["alpha"]]).json?["key"]?.stringValue)
        let keyB = try XCTUnwrap(try admin.post("/v1/keys", ["name": "tenant-b", "sessions": ["beta"]]).json?["key"]?.stringValue)
        tenantA = try server.client(key: keyA)
        tenantB = try server.client(key: keyB)
        ids["key"] = String(keyB.split(separator: "_")[1])

        let group = try tenantB.post("/v1/sessions/beta/groups", ["name": "B team", "participants": ["+15550000103"]])
        XCTAssertEqual(group.status, 201, group.text)
        ids["group"] = try XCTUnwrap(group.json?["id"]?.stringValue)
        let subscription = try tenantB.post("/v1/webhooks", ["url": "http://127.0.0.1:9/b-hook"])
        XCTAssertEqual(subscription.status, 201, subscription.text)
        ids["subscription"] = try XCTUnwrap(subscription.json?["id"]?.stringValue)
        let own = try tenantA.post("/v1/webhooks", ["url": "http://127.0.0.1:9/a-hook"])
        ids["ownSubscription"] = try XCTUnwrap(own.json?["id"]?.stringValue)
        let message = try tenantB.post("/v1/sessions/beta/messages", ["group": .string(ids["group"]!), "text": "B's secret plan"])
        XCTAssertEqual(message.status, 201, message.text)
        ids["message"] = try XCTUnwrap(message.json?["id"]?.stringValue)
        ids["event"] = try XCTUnwrap(try admin.get("/v1/events?session=beta").json?["data"]?.arrayValue?.last?["id"]?.stringValue)
        ids["delivery"] = try waitForDelivery()
    }

    override func tearDown() { server.cleanUp() }

    private func waitForDelivery() throws -> String {
        for _ in 0..<100 {
            if let id = try tenantB.get("/v1/webhooks/\(ids["subscription"]!)/deliveries").json?["data"]?.arrayValue?.first?["id"]?.stringValue {
                return id
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("no delivery was created for tenant B's subscription")
        throw CancellationError()
    }

    /// An id of the same shape as `id` that names nothing.
    private func missing(_ id: String) -> String {
        if let at = id.firstIndex(of: "@") { return "1" + String(repeating: "7", count: id.distance(from: id.startIndex, to: at) - 1) + id[at...] }
        let prefix = id.firstIndex(of: "_").map { id[...$0] } ?? ""
        return prefix + String(id.dropFirst(prefix.count).map { $0.isLetter || $0.isNumber ? "7" : $0 })
    }

    /// Probes per operation id. Routes that take no tenant resource are listed in `unscoped`.
    private func probes() -> [String: [Probe]] {
        let group = ids["group"]!, message = ids["message"]!, subscription = ids["subscription"]!, delivery = ids["delivery"]!
        let session = Probe(cross: ["session": "beta"], missing: ["session": "nosuch"])
        let sessionAndGroup = [
            Probe(cross: ["session": "beta", "group": group], missing: ["session": "nosuch", "group": group]),
            Probe(cross: ["session": "alpha", "group": group], missing: ["session": "alpha", "group": missing(group)]),
        ]
        func withBody(_ probes: [Probe], _ body: JSON) -> [Probe] { probes.map { var probe = $0; probe.body = body; return probe } }
        let participants: JSON = ["participants": ["+15550000101"]]
        var table: [String: [Probe]] = [
            "getSession": [session], "deleteSession": [session],
            "listGroups": [session], "createGroup": [withBody([session], ["name": "mine now"])[0]],
            "joinGroup": [withBody([session], ["code": "AAAAAAAAAAAAAAAAAAAAAA"])[0]],
            "getGroup": sessionAndGroup, "updateGroup": withBody(sessionAndGroup, ["name": "hijacked"]), "deleteGroup": sessionAndGroup,
            "leaveGroup": sessionAndGroup, "getInvite": sessionAndGroup, "revokeInvite": sessionAndGroup, "listJoinRequests": sessionAndGroup,
            "listMessages": [session], "connectDevice": [session],
            "sendMessage": [
                Probe(cross: ["session": "beta"], missing: ["session": "nosuch"], body: ["group": .string(group), "text": "hi"]),
                Probe(cross: ["session": "alpha"], missing: ["session": "alpha"], query: nil, body: ["group": .string(group), "text": "hi"]),
            ],
            "getMessage": [Probe(cross: ["message": message], missing: ["message": missing(message)])],
            "markRead": [
                Probe(cross: ["session": "beta", "message": message], missing: ["session": "nosuch", "message": message]),
                Probe(cross: ["session": "alpha", "message": message], missing: ["session": "alpha", "message": missing(message)]),
            ],
            "listEvents": [
                Probe(cross: [:], missing: [:], query: ("session=beta", "session=nosuch")),
                Probe(cross: [:], missing: [:], query: ("after=\(ids["event"]!)", "after=\(missing(ids["event"]!))")),
            ],
            "streamEvents": [Probe(cross: [:], missing: [:], query: ("session=beta", "session=nosuch"))],
            "revokeKey": [Probe(cross: ["key": ids["key"]!], missing: ["key": missing(ids["key"]!)])],
            "createWebhook": [Probe(cross: [:], missing: [:], query: nil, body: ["url": "http://127.0.0.1:9/x", "sessions": ["beta"]])],
        ]
        let hook = [Probe(cross: ["id": subscription], missing: ["id": missing(subscription)])]
        for operation in ["getWebhook", "deleteWebhook", "rotateWebhookSecret", "listWebhookDeliveries", "retryFailedWebhookDeliveries"] { table[operation] = hook }
        table["updateWebhook"] = withBody(hook, ["events": ["message.received"]])
        table["getWebhookDelivery"] = [
            Probe(cross: ["id": subscription, "delivery": delivery], missing: ["id": missing(subscription), "delivery": delivery]),
            Probe(cross: ["id": ids["ownSubscription"]!, "delivery": delivery], missing: ["id": ids["ownSubscription"]!, "delivery": missing(delivery)]),
        ]
        table["retryWebhookDelivery"] = table["getWebhookDelivery"]
        for action in ["add", "remove", "promote", "demote"] { table["\(action)Participants"] = withBody(sessionAndGroup, participants) }
        for action in ["approve", "reject"] { table["\(action)JoinRequests"] = withBody(sessionAndGroup, participants) }
        return table
    }

    /// Routes without a tenant's resource in them (lists are checked for leaks separately).
    private let unscoped: Set<String> = [
        "getHealth", "getReadiness", "getMetrics", "getOpenAPI", "getDashboard", "getDashboardCSS", "getDashboardJS", "listProviders", "createSession", "listSessions", "createKey", "listKeys",
        "listWebhooks", "normalizeWebhook", "getProviderDrift",
        // Authenticated by the provider's signature, not an API key: InboundWebhookTests shows an unknown session
        // answers exactly as a bad signature does.
        "receiveWebhook",
    ]

    func testEveryRouteAnswersAnotherTenantsResourceAsAMissingOne() throws {
        let document = try XCTUnwrap(try admin.get("/openapi.json").json?["paths"]?.objectValue)
        let table = probes()
        var probed = 0
        for path in document {
            for operation in path.value.objectValue ?? [:] {
                let method = operation.key.uppercased()
                let operationId = try XCTUnwrap(operation.value["operationId"]?.stringValue)
                if unscoped.contains(operationId) { continue }
                guard let probes = table[operationId] else {
                    XCTFail("\(method) \(path.key) (\(operationId)) has no isolation probe: add one to TenantIsolationTests")
                    continue
                }
                for probe in probes {
                    try compare(method, path.key, probe, operationId)
                    probed += 1
                }
            }
        }
        XCTAssertGreaterThan(probed, 35)
        try assertTenantBUntouched()
    }

    private func compare(_ method: String, _ template: String, _ probe: Probe, _ operationId: String) throws {
        func url(_ parameters: [String: String], _ query: String?) -> String {
            var path = template
            for (name, value) in parameters {
                path = path.replacingOccurrences(of: "{\(name)}", with: value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)
            }
            return query.map { path + "?" + $0 } ?? path
        }
        let cross = try tenantA.request(method, url(probe.cross, probe.query?.cross), json: probe.body ?? (method == "GET" || method == "DELETE" ? nil : [:]))
        let absent = try tenantA.request(method, url(probe.missing, probe.query?.missing), json: probe.body ?? (method == "GET" || method == "DELETE" ? nil : [:]))
        let label = "\(method) \(url(probe.cross, probe.query?.cross)) [\(operationId)]"
        XCTAssertFalse((200..<300).contains(cross.status), "\(label) let tenant A at tenant B's resource: \(cross.status) \(cross.text)")
        XCTAssertEqual(cross.status, absent.status, "\(label): \(cross.text) vs missing: \(absent.text)")
        XCTAssertEqual(cross.errorCode, absent.errorCode, label)
        let names = (Array(probe.cross.values) + Array(probe.missing.values) + ["beta", "nosuch", ids["event"]!, missing(ids["event"]!)])
            .sorted { $0.count > $1.count }
        func redacted(_ response: RawResponse) -> String {
            names.reduce(response.json?["error"]?["message"]?.stringValue ?? "") { $0.replacingOccurrences(of: $1, with: "<id>") }
        }
        XCTAssertEqual(redacted(cross), redacted(absent), label)
    }

    /// Nothing tenant A tried changed tenant B's session, group, subscription or message.
    private func assertTenantBUntouched() throws {
        XCTAssertEqual(try tenantB.get("/v1/sessions/beta").status, 200)
        let group = try tenantB.get("/v1/sessions/beta/groups/\(ids["group"]!)")
        XCTAssertEqual(group.json?["name"]?.stringValue, "B team", group.text)
        XCTAssertEqual(group.json?["participants"]?.arrayValue?.count, 2, group.text)
        let subscription = try tenantB.get("/v1/webhooks/\(ids["subscription"]!)")
        XCTAssertEqual(subscription.status, 200)
        XCTAssertEqual(subscription.json?["events"], JSON.null, subscription.text)
        XCTAssertEqual(try tenantB.get("/v1/messages/\(ids["message"]!)").json?["text"]?.stringValue, "B's secret plan")
        XCTAssertEqual(try admin.get("/v1/keys").json?["data"]?.arrayValue?.first { $0["id"]?.stringValue == ids["key"] }?["revokedAt"], JSON.null)
    }

    func testListsShowOnlyTheCallersOwnResources() throws {
        let text = [
            try tenantA.get("/v1/sessions"), try tenantA.get("/v1/webhooks"), try tenantA.get("/v1/events"), try tenantA.get("/v1/sessions/alpha/groups"),
            try tenantA.get("/v1/sessions/alpha/messages"),
        ].map { response -> String in
            XCTAssertEqual(response.status, 200, response.text)
            return response.text
        }.joined()
        for secret in ["beta", ids["group"]!, ids["message"]!, ids["subscription"]!, ids["delivery"]!, ids["event"]!, "B team", "secret plan"] {
            XCTAssertFalse(text.contains(secret), "tenant A's lists mention tenant B's '\(secret)'")
        }
        XCTAssertTrue(text.contains("alpha"), "the lists do show tenant A's own session")
    }
}
