internal import CCurl
import Foundation
import HTTPCore
import Support

/// `HTTPTransport` over libcurl's multi interface: one thread drives every transfer, so connections are reused
/// across calls (the multi handle keeps the connection cache). Each call has a connect timeout and an overall
/// deadline; redirects are never followed (a 3xx comes back as the response); request and response sizes are
/// capped; DELETE may carry a body. Failures are typed `TransportError`s.
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    public struct Options: Sendable {
        public var connectTimeout: Double
        public var maxResponseBytes: Int
        public var maxRequestBytes: Int
        public var maxConnectionsPerHost: Int
        public var userAgent: String

        public init(
            connectTimeout: Double = 5, maxResponseBytes: Int = 16 << 20, maxRequestBytes: Int = 16 << 20, maxConnectionsPerHost: Int = 32,
            userAgent: String = "switchboard"
        ) {
            self.connectTimeout = connectTimeout
            self.maxResponseBytes = maxResponseBytes
            self.maxRequestBytes = maxRequestBytes
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.userAgent = userAgent
        }
    }

    private let options: Options
    private let multi: UnsafeMutableRawPointer
    private let pending = LockedValue<[Transfer]>([])
    private let stopping = LockedValue(false)
    private let finished = Condition()
    private var threadDone = false
    /// New connections opened, for tests and metrics (reuse keeps this low).
    public let connectionsOpened = LockedValue(0)

    public init(options: Options = Options()) {
        _ = CurlTransport.global
        self.options = options
        multi = curl_multi_init()
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.maxConnectionsPerHost)
        let thread = Thread { [self] in run() }
        thread.name = "switchboard-curl"
        thread.start()
    }

    deinit {
        curl_multi_cleanup(multi)
    }

    /// libcurl's global state, set up once per process.
    private static let global: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Stops the transfer thread; calls in flight fail with `other`.
    public func shutdown() {
        stopping.set(true)
        curl_multi_wakeup(multi)
        finished.withLock { while !threadDone { finished.wait(timeoutNanoseconds: 100_000_000) } }
    }

    // MARK: - HTTPTransport

    public func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        if let body = request.body, body.count > options.maxRequestBytes {
            throw TransportError(.invalidRequest, "request body of \(body.count) bytes is over the \(options.maxRequestBytes)-byte limit")
        }
        let result: Result<TransportResponse, TransportError> = await withCheckedContinuation { continuation in
            let transfer = Transfer(request: request, maxResponseBytes: options.maxResponseBytes) { continuation.resume(returning: $0) }
            guard !stopping.get() else {
                transfer.complete(.failure(TransportError(.other, "the transport is shut down")))
                return
            }
            pending.withLock { $0.append(transfer) }
            curl_multi_wakeup(multi)
        }
        return try result.get()
    }

    // MARK: - The transfer thread

    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    private var idleHandles: [UnsafeMutableRawPointer] = []

    private func run() {
        var running: Int32 = 0
        while !stopping.get() {
            for transfer in pending.withLock({ queue -> [Transfer] in defer { queue.removeAll() }; return queue }) { start(transfer) }
            curl_multi_perform(multi, &running)
            collectFinished()
            var ready: Int32 = 0
            curl_multi_poll(multi, nil, 0, 1000, &ready)
        }
        for (handle, transfer) in active {
            curl_multi_remove_handle(multi, handle)
            curl_easy_cleanup(handle)
            transfer.complete(.failure(TransportError(.other, "the transport shut down during the call")))
        }
        for transfer in pending.withLock({ $0 }) { transfer.complete(.failure(TransportError(.other, "the transport is shut down"))) }
        for handle in idleHandles { curl_easy_cleanup(handle) }
        active = [:]
        idleHandles = []
        finished.withLock {
            threadDone = true
            finished.broadcast()
        }
    }

    private func start(_ transfer: Transfer) {
        let handle: UnsafeMutableRawPointer
        if let reused = idleHandles.popLast() {
            curl_easy_reset(reused)
            handle = reused
        } else {
            guard let created = curl_easy_init() else {
                transfer.complete(.failure(TransportError(.other, "curl_easy_init failed")))
                return
            }
            handle = created
        }
        if let error = transfer.configure(handle, options: options) {
            idleHandles.append(handle)
            transfer.complete(.failure(error))
            return
        }
        active[handle] = transfer
        curl_multi_add_handle(multi, handle)
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard ccurl_msg_done(message) != 0, let handle = ccurl_msg_handle(message), let transfer = active.removeValue(forKey: handle) else { continue }
            let code = ccurl_msg_result(message)
            var connects: Int = 0
            _ = ccurl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
            if connects > 0 { connectionsOpened.withLock { $0 += connects } }
            let result = transfer.finish(handle, code: code)
            curl_multi_remove_handle(multi, handle)
            transfer.release()
            idleHandles.append(handle)
            transfer.complete(result)
        }
    }
}
