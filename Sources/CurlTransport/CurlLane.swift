internal import CCurl
import HTTPCore
import Support

/// A `TransportLane` over one libcurl easy handle: `curl_easy_perform` on the caller's thread, with the same
/// options, caps and error mapping as `CurlTransport`. The handle keeps its connection between calls
/// (`curl_easy_reset` leaves live connections alone).
public final class CurlLane: TransportLane, @unchecked Sendable {
    private let options: CurlTransport.Options
    private let handle: UnsafeMutableRawPointer?
    /// New connections opened, for tests (reuse keeps this at one).
    public private(set) var connectionsOpened = 0

    public init(options: CurlTransport.Options = CurlTransport.Options()) {
        CurlTransport.setUpLibcurl()
        self.options = options
        handle = curl_easy_init()
    }

    deinit {
        if let handle { curl_easy_cleanup(handle) }
    }

    public func send(_ request: TransportRequest) -> Result<TransportResponse, TransportError> {
        if let refusal = options.refusal(of: request) { return .failure(refusal) }
        guard let handle else { return .failure(TransportError(.other, "curl_easy_init failed")) }
        curl_easy_reset(handle)
        let transfer = Transfer(request: request, maxResponseBytes: options.maxResponseBytes) { _ in }
        defer { transfer.release() }
        if let error = transfer.configure(handle, options: options) { return .failure(error) }
        let code = curl_easy_perform(handle)
        var connects = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        connectionsOpened += connects
        return transfer.finish(handle, code: code)
    }
}
