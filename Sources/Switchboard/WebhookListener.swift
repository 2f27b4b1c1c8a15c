import Foundation
import HTTPCore
import HTTPServer
import JSONCore
import Support
import Webhooks

/// `switchboard webhooks listen`: a local Standard Webhooks receiver for development and benchmarks. It verifies
/// each delivery with the given secrets (answering 401 when the signature or timestamp is wrong), prints one JSON
/// line per delivery unless quiet, and counts deliveries and distinct webhook ids.
public final class WebhookListener: @unchecked Sendable {
    public struct Counts: Sendable {
        public var received = 0
        public var verified = 0
        public var rejected = 0
        public var distinct = 0
    }

    private let server: HTTPServer
    public let counts = LockedValue(Counts())
    private let seen = LockedValue(Set<String>())

    public init(host: String, port: Int, secrets: [WebhookSecret], quiet: Bool, output: @escaping @Sendable (String) -> Void) {
        var router = Router()
        let counts = counts
        let seen = seen
        router.fallback = Route("*", "*", .inline { context in
            let request = context.request
            let id = request.headers["webhook-id"]
            var line: JSONObject = ["id": .string(id ?? ""), "path": .string(request.target)]
            do throws(StandardWebhooks.VerificationFailure) {
                if !secrets.isEmpty {
                    try StandardWebhooks.verify(
                        id: id, timestamp: request.headers["webhook-timestamp"], signatures: request.headers["webhook-signature"], body: request.body,
                        secrets: secrets)
                }
            } catch {
                counts.withLock { $0.received += 1; $0.rejected += 1 }
                line["rejected"] = .string(error.rawValue)
                if !quiet { output(JSON.object(line).text) }
                return .json(["error": .string(error.rawValue)], status: 401)
            }
            let isNew = id.map { key in seen.withLock { $0.insert(key).inserted } } ?? false
            counts.withLock { c in
                c.received += 1
                if !secrets.isEmpty { c.verified += 1 }
                if isNew { c.distinct += 1 }
            }
            if !quiet {
                line["verified"] = .bool(!secrets.isEmpty)
                line["duplicate"] = .bool(!isNew)
                line["event"] = (try? JSONParser.parse(request.body)) ?? .string(String(decoding: request.body, as: UTF8.self))
                output(JSON.object(line).text)
            }
            return HTTPResponse(status: 204)
        })
        server = HTTPServer(
            configuration: ServerConfiguration(host: host, port: port, eventLoops: 1), router: router, logger: Logger(label: "listen", handler: DiscardLogHandler()),
            metrics: MetricsRegistry(), accessLog: false, renderError: { error, _ in .json(["error": .string("\(error)")], status: 400) })
    }

    public func start() throws -> Int {
        try server.start()
        return server.port!
    }

    public func stop() { server.stop() }
}
