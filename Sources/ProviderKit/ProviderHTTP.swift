import Foundation
import GroupModel
import HTTPCore
import JSONCore
import Support

/// What a remote adapter needs to call its provider: the transport, base URL, auth headers and deadline.
/// Adapters build paths and bodies; this turns them into `TransportRequest`s and transport failures into
/// canonical errors.
public struct ProviderHTTP: Sendable {
    public let kind: String
    public let baseURL: String
    public let headers: HTTPHeaders
    public let timeout: TimeInterval
    public let transport: any HTTPTransport
    /// The credentials inside `headers`, scrubbed from every answer (see `Redaction`).
    private let redaction: Redaction

    /// - Parameter headers: the provider's auth headers: their values are credentials, and never leave a reply.
    public init(kind: String, baseURL: String, headers: HTTPHeaders, timeout: TimeInterval, transport: any HTTPTransport) {
        self.kind = kind
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.headers = headers
        self.timeout = timeout
        self.transport = transport
        redaction = Redaction(credentials: headers.fields.map(\.value))
    }

    /// A provider's answer.
    public struct Reply: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: [UInt8]
        /// The body as JSON, when it is JSON.
        public let json: JSON?

        public var isSuccess: Bool { (200..<300).contains(status) }
        /// `Retry-After` in whole seconds, when given as seconds.
        public var retryAfter: Int? { headers["retry-after"].flatMap { Int($0.trimmingASCIIWhitespace()) } }
        public var text: String { String(decoding: body.prefix(2000), as: UTF8.self) }
    }

    /// The HTTP statuses of the provider's answers, collected for the task that sets `ProviderHTTP.$statuses`
    /// (the outbox records them per attempt).
    public final class StatusLog: Sendable {
        private let values = LockedValue<[Int]>([])
        public init() {}
        public var last: Int? { values.get().last }
        func note(_ status: Int) { values.withLock { $0.append(status) } }
    }

    @TaskLocal public static var statuses: StatusLog?

    /// Calls `method path` (path segments already encoded with `segment(_:)`), with an optional JSON body.
    public func call(_ method: String, _ path: String, query: [(String, String)] = [], json: JSON? = nil) async throws(GatewayError) -> Reply {
        var url = baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { "\(PercentDecoding.encode($0.0))=\(PercentDecoding.encode($0.1))" }.joined(separator: "&")
        }
        var requestHeaders = headers
        if json != nil { requestHeaders.set("Content-Type", "application/json") }
        requestHeaders.set("Accept", "application/json")
        // POST and PATCH are not safe to repeat: libcurl must never send them a second time (see `sendOnce`).
        let request = TransportRequest(
            method: method, url: url, headers: requestHeaders, body: json?.bytes, timeout: timeout, sendOnce: method == "POST" || method == "PATCH")
        let response: TransportResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw ProviderHTTP.map(error, kind: kind)
        }
        ProviderHTTP.statuses?.note(response.status)
        let body = redaction.scrub(response.body)
        return Reply(status: response.status, headers: response.headers, body: body, json: try? JSONParser.parse(body))
    }

    /// One path segment, percent-encoded (a group JID's `@` becomes `%40`).
    public static func segment(_ value: String) -> String { PercentDecoding.encode(value) }

    /// Transport failures as canonical errors. Timeouts and resets say the outcome is unknown: the provider may
    /// have acted.
    public static func map(_ error: TransportError, kind: String) -> GatewayError {
        switch error.kind {
        case .timeout:
            return GatewayError.providerTimeout("\(kind) did not answer in time; the outcome is unknown.")
                .from(provider: kind).with(details: ["transport": "timeout", "outcomeUnknown": true])
        case .connectionReset:
            return GatewayError.providerUnavailable("The connection to \(kind) broke during the call; the outcome is unknown.")
                .from(provider: kind).with(details: ["transport": "connection_reset", "outcomeUnknown": true])
        case .connectTimeout, .connectionRefused, .dnsFailure:
            return GatewayError.providerUnavailable("\(kind) cannot be reached (\(error.kind.rawValue)).")
                .from(provider: kind).with(details: ["transport": .string(error.kind.rawValue), "outcomeUnknown": false])
        case .tls:
            return GatewayError.providerUnavailable("TLS with \(kind) failed.").from(provider: kind)
                .with(details: ["transport": "tls", "outcomeUnknown": false])
        case .responseTooLarge, .redirect, .invalidRequest, .other:
            return GatewayError.providerRejected("The call to \(kind) failed: \(error.kind.rawValue).").from(provider: kind)
                .with(details: ["transport": .string(error.kind.rawValue), "outcomeUnknown": .bool(error.outcomeUnknown)])
        }
    }
}
