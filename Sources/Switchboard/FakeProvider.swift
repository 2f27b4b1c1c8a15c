import ContractKit
import Foundation
import HTTPCore
import HTTPServer
import JSONCore
import Support

/// A stand-in provider on loopback that answers from recorded fixtures: the request that matches a recorded
/// exchange of a succeeding fixture exactly gets that exchange's response; then the first 2xx recorded for the same
/// method and path in a succeeding fixture; only then error fixtures (exact, then by route) — error fixtures share
/// requests and routes with successes, and can carry 2xx answers too (Walytic and A1Base fail with 200). Used by `switchboard contract fake`, the provider-switching example and the overhead benchmark.
public final class FakeProvider: @unchecked Sendable {
    private let exchanges: [Fixture.Exchange]
    private let server: HTTPServer
    /// Requests answered from fixtures, requests no fixture knew, and requests failed on purpose (`failRate`).
    public let counts = LockedValue<(answered: Int, unknown: Int, failed: Int)>((0, 0, 0))
    /// `METHOD path` of each request no fixture knew.
    public let unknownRequests = LockedValue<[String]>([])

    /// - Parameters:
    ///   - provider: the fixtures' provider kind (`waha`, `waxum`, …).
    ///   - failRate: the share of POST requests answered `503` instead (a provider failing part of its calls).
    public init(
        provider: String, fixtures directory: String, host: String = "127.0.0.1", port: Int = 0, failRate: Double = 0, logger: Logger = .discard
    ) throws {
        // Exchanges of succeeding fixtures first, so a route's first 2xx is a success.
        var exchanges: [Fixture.Exchange] = []
        var successes = 0
        for (file, label) in ContractRunner.files(in: directory) {
            guard let fixture = try? Fixture.load(file: file, label: label), fixture.provider == provider,
                case .operation(let operation) = fixture.kind
            else { continue }
            let replies = operation.exchanges.filter { if case .reply = $0.response { true } else { false } }
            if case .result = operation.expect {
                exchanges.insert(contentsOf: replies, at: successes)
                successes += replies.count
            } else {
                exchanges += replies
            }
        }
        guard !exchanges.isEmpty else { throw FakeProviderError("no \(provider) operation fixtures with replies in '\(directory)'") }
        self.exchanges = exchanges
        var router = Router()
        let box = ExchangeBox(exchanges: exchanges, successes: successes)
        let counts = self.counts
        let unknown = self.unknownRequests
        router.fallback = Route("*", "*", .inline { context in
            if failRate > 0, context.request.method == "POST", Double.random(in: 0..<1) < failRate {
                counts.withLock { $0.failed += 1 }
                return .json(["statusCode": 503, "message": "injected failure"], status: 503)
            }
            return FakeProvider.answer(context.request, box, counts, unknown)
        })
        server = HTTPServer(
            configuration: ServerConfiguration(host: host, port: port, eventLoops: 2), router: router, logger: logger, metrics: MetricsRegistry(),
            accessLog: false, renderError: { error, _ in .json(["error": .string("\(error)")], status: 400) })
    }

    public func start() throws -> Int {
        try server.start()
        return server.port!
    }

    public var port: Int? { server.port }
    public func stop() { server.stop() }

    static func answer(
        _ request: HTTPRequest, _ box: ExchangeBox, _ counts: LockedValue<(answered: Int, unknown: Int, failed: Int)>, _ unknown: LockedValue<[String]>
    ) -> HTTPResponse {
        let transportRequest = TransportRequest(
            method: request.method, url: "http://fake" + request.target, headers: request.headers, body: request.body.isEmpty ? nil : request.body)
        let (path, query) = ReplayTransport.split(transportRequest.url)
        func pick(_ exchanges: ArraySlice<Fixture.Exchange>) -> Fixture.Exchange? {
            if let exact = exchanges.first(where: { ReplayTransport.difference($0, transportRequest, path: path, query: query) == nil }) { return exact }
            let sameRoute = exchanges.filter { $0.method == request.method && (PercentDecoding.decode($0.path) ?? $0.path) == path }
            return sameRoute.first { if case .reply(let status, _, _) = $0.response { (200..<300).contains(status) } else { false } } ?? sameRoute.first
        }
        let chosen = pick(box.exchanges[..<box.successes]) ?? pick(box.exchanges[box.successes...])
        guard let exchange = chosen, case .reply(let status, let headers, let body) = exchange.response else {
            counts.withLock { $0.unknown += 1 }
            unknown.withLock { $0.append("\(request.method) \(path)") }
            return .json(["error": .string("no fixture for \(request.method) \(path)")], status: 404)
        }
        counts.withLock { $0.answered += 1 }
        return HTTPResponse(status: status, headers: ReplayTransport.headers(headers), body: body)
    }
}

final class ExchangeBox: Sendable {
    let exchanges: [Fixture.Exchange]
    /// `exchanges[..<successes]` come from fixtures whose operation succeeds.
    let successes: Int
    init(exchanges: [Fixture.Exchange], successes: Int) {
        self.exchanges = exchanges
        self.successes = successes
    }
}

struct FakeProviderError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
