import Foundation
import GatewayCore
import GroupModel
import HTTPCore
import JSONCore
import Storage
import Support
import Switchboard
import TestSupport
import XCTest

@testable import GatewayAPI

/// `Idempotency-Key` over HTTP: replay of the first answer, conflicts, scope per key and route, keys released
/// after retryable failures, and a retry after a crash mid-send that answers from the stored message instead of
/// sending twice.
final class IdempotencyTests: XCTestCase {
    private func nativeGroup(_ client: TestClient) throws -> String {
        XCTAssertEqual(try client.post("/v1/sessions", ["id": "bob", "provider": "native", "phone": "+15550008002"]).status, 201)
        let group = try client.post("/v1/sessions/default/groups", ["name": "Keys", "participants": ["+15550008002"]])
        return try XCTUnwrap(group.json?["id"]?.stringValue)
    }

    func testSameKeyAndBodyReplaysTheFirstAnswerAndSendsOnce() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let client = try server.client()
        let group = try nativeGroup(client)
        let first = try client.post("/v1/sessions/default/messages", ["group": .string(group), "text": "once"], headers: ["Idempotency-Key": "send-1"])
        XCTAssertEqual(first.status, 201, first.text)
        XCTAssertNil(first.header("Idempotent-Replayed"))
        // The same request, keys in another order and other whitespace: the same answer, nothing sent again.
        let body = Array(#"{ "text": "once",   "group": "\#(group)" }"#.utf8)
        let again = try client.request("POST", "/v1/sessions/default/messages", json: try JSONParser.parse(body), headers: ["Idempotency-Key": "send-1"])
        XCTAssertEqual(again.status, 201)
        XCTAssertEqual(again.header("Idempotent-Replayed"), "true")
        XCTAssertEqual(again.body, first.body, "byte for byte the first answer")
        let history = try client.get("/v1/sessions/default/messages").json?["data"]?.arrayValue ?? []
        XCTAssertEqual(history.count, 1)
        let received = try client.get("/v1/events?session=bob&type=message.received").json?["data"]?.arrayValue ?? []
        XCTAssertEqual(received.count, 1, "bob received it once")

        let different = try client.post("/v1/sessions/default/messages", ["group": .string(group), "text": "twice?"], headers: ["Idempotency-Key": "send-1"])
        XCTAssertEqual(different.status, 422)
        XCTAssertEqual(different.errorCode, "idempotency_conflict")
        let bad = try client.post("/v1/sessions/default/messages", ["group": .string(group), "text": "x"], headers: ["Idempotency-Key": "has space"])
        XCTAssertEqual(bad.errorCode, "invalid_request")
    }

    func testKeysAreScopedToTheAPIKeyAndTheRoute() throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let admin = try server.client()
        let group = try nativeGroup(admin)
        let key = try XCTUnwrap(try admin.post("/v1/keys", ["name": "app", "sessions": ["default"]]).json?["key"]?.stringValue)
        let app = try server.client(key: key)
        XCTAssertEqual(try admin.post("/v1/sessions/default/messages", ["group": .string(group), "text": "a"], headers: ["Idempotency-Key": "k"]).status, 201)
        let other = try app.post("/v1/sessions/default/messages", ["group": .string(group), "text": "a"], headers: ["Idempotency-Key": "k"])
        XCTAssertEqual(other.status, 201)
        XCTAssertNil(other.header("Idempotent-Replayed"), "another API key's 'k' is another key")
        let created = try admin.post("/v1/sessions/default/groups", ["name": "Other route"], headers: ["Idempotency-Key": "k"])
        XCTAssertEqual(created.status, 201, "the same key on another route is another key: \(created.text)")
        XCTAssertEqual(try admin.post("/v1/sessions/default/groups", ["name": "Other route"], headers: ["Idempotency-Key": "k"]).header("Idempotent-Replayed"), "true")
        XCTAssertEqual(try admin.get("/v1/sessions/default/messages").json?["data"]?.arrayValue?.count, 2)
    }

    func testAnUnreachableProviderQueuesTheSendAndARetryWithTheKeyReplaysIt() throws {
        let closed = try TestGateway()
        let deadPort = closed.port
        closed.cleanUp()
        let server = try TestGateway(config: try .wahaExample(url: "http://127.0.0.1:\(deadPort)", apiKey: "k", webhookSecret: "s"))
        defer { server.cleanUp() }
        let client = try server.client()
        let body: JSON = ["group": "120363022345678901@g.us", "text": "down"]
        let first = try client.post("/v1/sessions/team/messages", body, headers: ["Idempotency-Key": "retry-me"])
        XCTAssertEqual(first.status, 202, "the outbox owes it and will retry: \(first.text)")
        XCTAssertEqual(first.json?["status"]?.stringValue, "queued")
        let id = try XCTUnwrap(first.json?["id"]?.stringValue)
        let second = try client.post("/v1/sessions/team/messages", body, headers: ["Idempotency-Key": "retry-me"])
        XCTAssertEqual(second.status, 202)
        XCTAssertEqual(second.header("Idempotent-Replayed"), "true")
        XCTAssertEqual(second.json?["id"]?.stringValue, id, "one message, however often the client retries")
        let attempts = try client.get("/v1/messages/\(id)").json?["attempts"]?.arrayValue ?? []
        XCTAssertEqual(attempts.first?["outcome"]?.stringValue, "retrying")
        XCTAssertEqual(attempts.first?["error"]?["code"]?.stringValue, "provider_unavailable")
        XCTAssertEqual(attempts.first?["providerStatus"], .null, "no HTTP answer came back")
    }

    func testOnlyFailuresThatChangedNothingFreeTheKey() {
        XCTAssertFalse(Idempotency.keepsKey(.invalidRequest("malformed")))
        XCTAssertFalse(Idempotency.keepsKey(.unauthenticated()))
        XCTAssertFalse(Idempotency.keepsKey(.providerUnavailable("refused").with(details: ["outcomeUnknown": false])))
        XCTAssertFalse(Idempotency.keepsKey(.rateLimited("slow down", retryAfter: 3)))
        XCTAssertTrue(Idempotency.keepsKey(.providerTimeout("no answer")))
        XCTAssertTrue(Idempotency.keepsKey(.providerUnavailable("reset mid-call").with(details: ["outcomeUnknown": true])), "the provider may have sent it")
        XCTAssertTrue(Idempotency.keepsKey(.notGroupAdmin("not an admin")))
    }

    func testASecondRequestWhileTheFirstRunsIsAConflictAndAnInterruptedOneIsNotRunAgain() async throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let scope = IdempotencyStore.Scope(principal: "env-admin", route: "sendMessage", key: "busy")
        let running = IdempotencyStore(database: server.gateway.database, clock: SystemClock())
        guard case .proceed = try await running.start(scope, fingerprint: "f") else { return XCTFail("a new key proceeds") }
        do {
            _ = try await running.start(scope, fingerprint: "f")
            XCTFail("a key whose first request is running must not run again")
        } catch let error as GatewayError {
            XCTAssertEqual(error.code, "idempotency_conflict")
            XCTAssertEqual(error.status, 409)
        }
        // A later process (the gateway was restarted) finds the key still running: the first request was interrupted
        // and may have taken effect, so it is not run again.
        let restarted = IdempotencyStore(database: server.gateway.database, clock: SystemClock())
        do {
            _ = try await restarted.start(scope, fingerprint: "f")
            XCTFail("an interrupted request must not run again")
        } catch let error as GatewayError {
            XCTAssertEqual(error.status, 422)
            XCTAssertEqual(error.details?["outcome"]?.stringValue, "unknown")
        }
        // A send links its message in the transaction that creates it: interrupted before that, it did nothing.
        guard case .proceed = try await IdempotencyStore(database: server.gateway.database, clock: SystemClock()).start(scope, fingerprint: "f", linksResource: true)
        else { return XCTFail("an interrupted send with no message yet runs again") }
    }

    func testARetryAfterACrashMidSendAnswersFromTheStoredMessageAndDoesNotSendAgain() async throws {
        let server = try TestGateway()
        defer { server.cleanUp() }
        let client = try server.client()
        let group = try nativeGroup(client)
        let body: JSON = ["group": .string(group), "text": "in flight"]
        // What a gateway killed during the provider call leaves: the key running (its process gone), linked to a
        // queued message. (Send outcomes after such a kill — reconciled, never resent blindly — are covered by
        // SendOutboxTests against the fault-injection provider.)
        let now = Date()
        let message = Message(id: SortableID.make("msg"), session: "default", group: group, type: .text, text: "in flight", status: .queued, createdAt: now, updatedAt: now)
        let request = HTTPRequest(method: "POST", target: "/v1/sessions/default/messages", body: body.bytes)
        let scope = IdempotencyStore.Scope(principal: "env-admin", route: "sendMessage", key: "crash-1")
        let killed = IdempotencyStore(database: server.gateway.database, clock: SystemClock())
        _ = try await killed.start(scope, fingerprint: Idempotency.fingerprint(request))
        try await server.gateway.database.write { [messages = server.gateway.messages] db in
            try messages.insert(message, in: db)
            try killed.attach(scope, resource: message.id, in: db)
        }

        let retry = try client.post("/v1/sessions/default/messages", body, headers: ["Idempotency-Key": "crash-1"])
        XCTAssertEqual(retry.status, 200, retry.text)
        XCTAssertEqual(retry.json?["id"]?.stringValue, message.id)
        XCTAssertEqual(retry.json?["status"]?.stringValue, "queued", "as stored: its outbox row, not the request, settles it")
        let received = try client.get("/v1/events?session=bob&type=message.received").json?["data"]?.arrayValue ?? []
        XCTAssertEqual(received.count, 0, "not sent a second time")
        XCTAssertEqual(try client.post("/v1/sessions/default/messages", body, headers: ["Idempotency-Key": "crash-1"]).header("Idempotent-Replayed"), "true")
    }
}
