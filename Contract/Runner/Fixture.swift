import Foundation
import JSONCore

/// One contract case in the format of CONTRACT-FORMAT.md (v1). Unknown top-level keys are ignored.
public struct Fixture: Sendable {
    public enum Kind: Sendable {
        case operation(Operation)
        case webhook(Webhook)
    }

    public struct Operation: Sendable {
        public let name: String
        public let path: JSONObject
        /// Exactly the canonical API request body, when there is one.
        public let body: JSON?
        public let query: JSONObject
        public let exchanges: [Exchange]
        public let expect: OperationExpectation
        public let httpStatus: Int?
        /// The native engine's state before the operation (an extension: other runners ignore it).
        public let setup: [Setup]

        public init(
            name: String, path: JSONObject, body: JSON?, query: JSONObject, exchanges: [Exchange], expect: OperationExpectation, httpStatus: Int?,
            setup: [Setup]
        ) {
            self.name = name
            self.path = path
            self.body = body
            self.query = query
            self.exchanges = exchanges
            self.expect = expect
            self.httpStatus = httpStatus
            self.setup = setup
        }
    }

    /// A canonical call run before the operation (native fixtures); `$group` in later paths and bodies is the id
    /// of the last group a setup step created, `$code` the last invite code.
    public struct Setup: Sendable {
        public let session: String?
        public let phone: String?
        public let name: String?
        public let path: JSONObject
        public let body: JSON?
    }

    public struct Exchange: Sendable {
        public let method: String
        public let path: String
        public let query: JSONObject?
        public let headers: JSONObject
        /// `.some(.null)`: the request must have no body; nil: not compared.
        public let body: JSON??
        public let response: Response
    }

    public enum Response: Sendable {
        case reply(status: Int, headers: JSONObject, body: [UInt8])
        case timeout
        case connectionError
    }

    public enum OperationExpectation: Sendable {
        case result(JSON)
        case error(code: String, status: Int?)
        case unsupported
    }

    public struct Webhook: Sendable {
        public let headers: JSONObject
        public let body: [UInt8]
        public let query: JSONObject
        public let now: Date?
        public let expect: WebhookExpectation
    }

    public enum WebhookExpectation: Sendable {
        case events([JSON])
        case error(code: String)
    }

    public let file: String
    /// `provider/area/case`.
    public let label: String
    public let provider: String
    public let name: String
    public let source: String?
    public let recordedAt: Date?
    public let account: JSONObject
    public let credentials: JSONObject
    public let kind: Kind
}

/// Why a fixture could not be read: it is a failing case with this message.
public struct FixtureError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension Fixture {
    /// Reads a fixture file. `label` is `provider/area/case` (the path under the fixtures folder).
    public static func load(file: String, label: String) throws(FixtureError) -> Fixture {
        guard let data = FileManager.default.contents(atPath: file) else { throw FixtureError("cannot read the file") }
        let json: JSON
        do {
            json = try JSONParser.parse(Array(data))
        } catch {
            throw FixtureError("not valid JSON: \(error.description)")
        }
        return try parse(json, file: file, label: label)
    }

    static func parse(_ json: JSON, file: String, label: String) throws(FixtureError) -> Fixture {
        guard json.objectValue != nil else { throw FixtureError("the fixture must be a JSON object") }
        guard json["format"]?.intValue == 1 else { throw FixtureError("'format' must be 1") }
        guard let provider = json["provider"]?.stringValue else { throw FixtureError("'provider' is required") }
        guard let name = json["name"]?.stringValue else { throw FixtureError("'name' is required") }
        let account = json["account"]?.objectValue ?? JSONObject()
        let credentials = json["credentials"]?.objectValue ?? JSONObject()
        let recordedAt = json["recordedAt"]?.stringValue.flatMap { Timestamp.date($0) }
        let kind: Kind
        switch json["kind"]?.stringValue {
        case "operation": kind = .operation(try operation(json))
        case "webhook": kind = .webhook(try webhook(json))
        default: throw FixtureError("'kind' must be \"operation\" or \"webhook\"")
        }
        return Fixture(
            file: file, label: label, provider: provider, name: name, source: json["source"]?.stringValue, recordedAt: recordedAt, account: account,
            credentials: credentials, kind: kind)
    }

    private static func operation(_ json: JSON) throws(FixtureError) -> Operation {
        guard let operation = json["operation"], let name = operation["name"]?.stringValue else {
            throw FixtureError("'operation.name' is required")
        }
        var exchanges: [Exchange] = []
        for (index, item) in (json["exchanges"]?.arrayValue ?? []).enumerated() {
            exchanges.append(try exchange(item, at: "exchanges[\(index)]"))
        }
        guard let expect = json["expect"] else { throw FixtureError("'expect' is required") }
        let expectation: OperationExpectation
        if expect["unsupported"]?.boolValue == true {
            expectation = .unsupported
        } else if let error = expect["error"] {
            guard let code = error["code"]?.stringValue else { throw FixtureError("'expect.error.code' is required") }
            expectation = .error(code: code, status: error["status"]?.intValue.map(Int.init))
        } else if let result = expect["result"] {
            expectation = .result(result)
        } else {
            throw FixtureError("'expect' needs 'result', 'error' or 'unsupported'")
        }
        var setup: [Setup] = []
        for step in json["setup"]?.arrayValue ?? [] {
            setup.append(
                Setup(
                    session: step["session"]?.stringValue, phone: step["phone"]?.stringValue, name: step["name"]?.stringValue,
                    path: step["path"]?.objectValue ?? JSONObject(), body: step["body"]))
        }
        return Operation(
            name: name, path: operation["path"]?.objectValue ?? JSONObject(), body: operation["body"], query: operation["query"]?.objectValue ?? JSONObject(),
            exchanges: exchanges, expect: expectation, httpStatus: expect["httpStatus"]?.intValue.map(Int.init), setup: setup)
    }

    private static func exchange(_ json: JSON, at path: String) throws(FixtureError) -> Exchange {
        guard let request = json["request"], let method = request["method"]?.stringValue, let requestPath = request["path"]?.stringValue else {
            throw FixtureError("'\(path).request' needs 'method' and 'path'")
        }
        guard let response = json["response"] else { throw FixtureError("'\(path).response' is required") }
        let reply: Response
        if response["timeout"]?.boolValue == true {
            reply = .timeout
        } else if response["connectionError"]?.boolValue == true {
            reply = .connectionError
        } else {
            guard let status = response["status"]?.intValue else { throw FixtureError("'\(path).response.status' is required") }
            var bytes: [UInt8] = []
            if let raw = response["rawBody"]?.stringValue {
                bytes = Array(raw.utf8)
            } else if let body = response["body"] {
                bytes = body.bytes
            }
            reply = .reply(status: Int(status), headers: response["headers"]?.objectValue ?? JSONObject(), body: bytes)
        }
        let body: JSON?? = request.objectValue?.keys.contains("body") == true ? .some(request["body"]!) : nil
        return Exchange(
            method: method, path: requestPath, query: request["query"]?.objectValue, headers: request["headers"]?.objectValue ?? JSONObject(),
            body: body, response: reply)
    }

    private static func webhook(_ json: JSON) throws(FixtureError) -> Webhook {
        guard let webhook = json["webhook"] else { throw FixtureError("'webhook' is required") }
        let body: [UInt8]
        if let raw = webhook["rawBody"]?.stringValue {
            body = Array(raw.utf8)
        } else if let value = webhook["body"] {
            body = value.bytes  // serialised once; the same bytes are signed and sent
        } else {
            throw FixtureError("'webhook.body' or 'webhook.rawBody' is required")
        }
        guard let expect = json["expect"] else { throw FixtureError("'expect' is required") }
        let expectation: WebhookExpectation
        if let error = expect["error"] {
            guard let code = error["code"]?.stringValue else { throw FixtureError("'expect.error.code' is required") }
            expectation = .error(code: code)
        } else if let events = expect["events"]?.arrayValue {
            expectation = .events(events)
        } else {
            throw FixtureError("'expect' needs 'events' or 'error'")
        }
        let now = json["now"]?.stringValue.flatMap { Timestamp.date($0) }
        if json["now"] != nil && now == nil { throw FixtureError("'now' must be an ISO 8601 date-time") }
        return Webhook(
            headers: webhook["headers"]?.objectValue ?? JSONObject(), body: body, query: webhook["query"]?.objectValue ?? JSONObject(), now: now,
            expect: expectation)
    }
}

enum Timestamp {
    /// `2026-11-21T10:00:00Z` or a plain date `2026-11-21`.
    static func date(_ text: String) -> Date? {
        if let date = Support.Timestamp.parseISO8601(text) { return date }
        return Support.Timestamp.parseISO8601(text + "T00:00:00Z")
    }
}

import Support
