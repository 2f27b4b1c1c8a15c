internal import CCurl
import Foundation
import HTTPCore

/// One call in flight: the request's bytes pinned for libcurl, the response as it arrives, and the completion.
/// Touched by the transfer thread only, apart from `complete`.
final class Transfer: @unchecked Sendable {
    private let request: TransportRequest
    private let maxResponseBytes: Int
    private let completion: @Sendable (Result<TransportResponse, TransportError>) -> Void
    private var completed = false

    private var body: UnsafeMutableRawBufferPointer?
    /// How much of `body` libcurl has read (a `sendOnce` body is read through `onRead`).
    private var bodyRead = 0
    /// libcurl asked to rewind a `sendOnce` body it had already read, to send the request again: refused.
    private var resendRefused = false
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var connectToList: UnsafeMutablePointer<curl_slist>?
    private var responseBody: [UInt8] = []
    private var responseHeaders = HTTPHeaders()
    private var tooLarge = false

    init(request: TransportRequest, maxResponseBytes: Int, completion: @escaping @Sendable (Result<TransportResponse, TransportError>) -> Void) {
        self.request = request
        self.maxResponseBytes = maxResponseBytes
        self.completion = completion
    }

    /// Sets every option for this call on `handle`; returns an error for a request that cannot be made.
    func configure(_ handle: UnsafeMutableRawPointer, options: CurlTransport.Options) -> TransportError? {
        let lower = request.url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            return TransportError(.invalidRequest, "only http and https URLs are called")
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        var ok = true
        func set(_ result: CURLcode) { if result != CURLE_OK { ok = false } }
        set(ccurl_setopt_string(handle, CURLOPT_URL, request.url))
        set(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))  // never follow redirects
        set(ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        // No proxy from the environment (http_proxy, …): provider calls go where configured, and outbound
        // address checks (webhook targets) stay meaningful.
        set(ccurl_setopt_string(handle, CURLOPT_PROXY, ""))
        if let address = request.connectTo {
            // CONNECT_TO is per handle and leaves the shared DNS cache alone. The entry matches any host and port
            // ("::address:port"), so a host spelled differently by curl and Foundation cannot make curl skip it
            // and resolve the name again.
            guard let url = URL(string: request.url), url.host != nil else { return TransportError(.invalidRequest, "the URL has no host") }
            let port = url.port ?? (lower.hasPrefix("https://") ? 443 : 80)
            let target = address.contains(":") ? "[\(address)]" : address
            connectToList = curl_slist_append(nil, "::\(target):\(port)")
            set(ccurl_setopt_slist(handle, CURLOPT_CONNECT_TO, connectToList))
        }
        set(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(min(options.connectTimeout, request.timeout) * 1000)))
        set(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(request.timeout * 1000)))
        if request.sendOnce && (request.body ?? []).isEmpty {
            // Without a body there is nothing to rewind, so a resend could not be noticed: a connection of its own.
            set(ccurl_setopt_long(handle, CURLOPT_FRESH_CONNECT, 1))
            set(ccurl_setopt_long(handle, CURLOPT_FORBID_REUSE, 1))
        }
        set(ccurl_setopt_offt(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxResponseBytes)))
        set(ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        set(ccurl_setopt_long(handle, CURLOPT_MAXAGE_CONN, options.maxIdleSeconds))
        set(ccurl_setopt_string(handle, CURLOPT_USERAGENT, options.userAgent))
        set(ccurl_setopt_write_function(handle, Transfer.onBody))
        set(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, me))
        set(ccurl_setopt_header_function(handle, Transfer.onHeader))
        set(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, me))

        var list: UnsafeMutablePointer<curl_slist>? = nil
        var hasContentType = false
        for field in request.headers {
            if field.lowercasedName == "content-type" { hasContentType = true }
            list = curl_slist_append(list, "\(field.name): \(field.value)")
        }
        // No `Expect: 100-continue` round trip, and never curl's form-encoding default content type.
        list = curl_slist_append(list, "Expect:")
        if !hasContentType && request.method != "GET" && request.method != "HEAD" { list = curl_slist_append(list, "Content-Type:") }
        headerList = list
        set(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, list))

        switch (request.method, request.body) {
        case ("GET", nil): set(ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case ("HEAD", _): set(ccurl_setopt_long(handle, CURLOPT_NOBODY, 1))
        case (let method, let bytes):
            let count = bytes?.count ?? 0
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 1)
            if let bytes, count > 0 { buffer.copyBytes(from: bytes) }
            body = buffer
            set(ccurl_setopt_offt(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(count)))
            if request.sendOnce && count > 0 {
                // Read through callbacks: libcurl resends a request only after rewinding its body (transfer.c,
                // `Curl_retry_request`), and `onSeek` refuses a rewind of bytes already read.
                set(ccurl_setopt_long(handle, CURLOPT_POST, 1))
                set(ccurl_setopt_read_function(handle, Transfer.onRead))
                set(ccurl_setopt_pointer(handle, CURLOPT_READDATA, me))
                set(ccurl_setopt_seek_function(handle, Transfer.onSeek))
                set(ccurl_setopt_pointer(handle, CURLOPT_SEEKDATA, me))
            } else {
                set(ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, buffer.baseAddress))
            }
            // POST and POSTFIELDS make it a POST; any other method (PUT, PATCH, DELETE with a JSON body) is named here.
            if method != "POST" { set(ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)) }
        }
        return ok ? nil : TransportError(.invalidRequest, "libcurl refused an option for \(request.method) \(Transfer.redacted(request.url))")
    }

    /// The outcome once libcurl reports the transfer done.
    func finish(_ handle: UnsafeMutableRawPointer, code: CURLcode) -> Result<TransportResponse, TransportError> {
        if code == CURLE_OK {
            var status: Int = 0
            _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return .success(TransportResponse(status: status, headers: responseHeaders, body: responseBody))
        }
        // Connected if a new connection completed, or a pooled one was taken (its connect time stays 0, but the
        // transfer got as far as "pretransfer"): a timeout after that may have delivered the request.
        var connectTime: curl_off_t = 0
        var pretransferTime: curl_off_t = 0
        _ = ccurl_getinfo_offt(handle, CURLINFO_CONNECT_TIME_T, &connectTime)
        _ = ccurl_getinfo_offt(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransferTime)
        let what = "\(request.method) \(Transfer.redacted(request.url))"
        let reason = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(connectTime == 0 && pretransferTime == 0
                ? TransportError(.connectTimeout, "\(what): no connection within the connect timeout")
                : TransportError(.timeout, "\(what): no complete answer within \(request.timeout) s"))
        case CURLE_COULDNT_CONNECT: return .failure(TransportError(.connectionRefused, "\(what): \(reason)"))
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .failure(TransportError(.dnsFailure, "\(what): \(reason)"))
        case CURLE_SEND_FAIL_REWIND where resendRefused:
            return .failure(TransportError(.connectionReset, "\(what): the reused connection closed before any answer; not sent a second time"))
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_SEND_FAIL_REWIND:
            return .failure(TransportError(.connectionReset, "\(what): \(reason)"))
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE:
            return .failure(TransportError(.tls, "\(what): \(reason)"))
        case CURLE_WRITE_ERROR where tooLarge, CURLE_FILESIZE_EXCEEDED:
            return .failure(TransportError(.responseTooLarge, "\(what): the answer is over \(maxResponseBytes) bytes"))
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: return .failure(TransportError(.invalidRequest, "\(what): \(reason)"))
        default: return .failure(TransportError(.other, "\(what): \(reason) (curl \(code.rawValue))"))
        }
    }

    /// Frees what libcurl pointed at (after the handle left the multi handle).
    func release() {
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
        if let connectToList { curl_slist_free_all(connectToList) }
        connectToList = nil
        body?.deallocate()
        body = nil
    }

    func complete(_ result: Result<TransportResponse, TransportError>) {
        guard !completed else { return }
        completed = true
        release()
        completion(result)
    }

    /// The URL without its query (tokens travel there) for error messages.
    static func redacted(_ url: String) -> String { url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url }

    // MARK: - libcurl callbacks

    private static let onBody: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, user in
        let transfer = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
        let length = size * count
        guard transfer.responseBody.count + length <= transfer.maxResponseBytes else {
            transfer.tooLarge = true
            return 0  // aborts the transfer with CURLE_WRITE_ERROR
        }
        if let data, length > 0 { transfer.responseBody.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length)) }
        return length
    }

    private static let onRead: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, user in
        let transfer = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
        guard let data, let body = transfer.body else { return 0 }
        let length = min(size * count, (transfer.request.body?.count ?? 0) - transfer.bodyRead)
        guard length > 0 else { return 0 }
        UnsafeMutableRawPointer(data).copyMemory(from: body.baseAddress! + transfer.bodyRead, byteCount: length)
        transfer.bodyRead += length
        return length
    }

    /// Rewinding before anything was read changes nothing; rewinding read bytes means sending them again.
    private static let onSeek: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, Int32) -> Int32 = { user, offset, origin in
        let transfer = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
        if transfer.bodyRead == 0 && offset == 0 && origin == SEEK_SET { return Int32(CURL_SEEKFUNC_OK) }
        transfer.resendRefused = true
        return Int32(CURL_SEEKFUNC_FAIL)
    }

    private static let onHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, user in
        let transfer = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
        let length = size * count
        guard let data else { return length }
        let line = UnsafeRawBufferPointer(start: data, count: length)
        transfer.header(line)
        return length
    }

    /// One header line as bytes: a status line starts a new response (after a 1xx); `Name: value` is added.
    private func header(_ line: UnsafeRawBufferPointer) {
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 13 || byte == 10 }
        var end = line.count
        while end > 0, isSpace(line[end - 1]) { end -= 1 }
        guard end > 0 else { return }
        if end >= 5, line[0] == UInt8(ascii: "H"), line[1] == UInt8(ascii: "T"), line[2] == UInt8(ascii: "T"), line[3] == UInt8(ascii: "P"),
            line[4] == UInt8(ascii: "/")
        {
            responseHeaders = HTTPHeaders()
            return
        }
        guard let colon = line[0..<end].firstIndex(of: UInt8(ascii: ":")) else { return }
        var valueStart = colon + 1
        while valueStart < end, isSpace(line[valueStart]) { valueStart += 1 }
        responseHeaders.add(
            String(decoding: UnsafeRawBufferPointer(rebasing: line[0..<colon]), as: UTF8.self),
            String(decoding: UnsafeRawBufferPointer(rebasing: line[valueStart..<end]), as: UTF8.self))
    }
}
