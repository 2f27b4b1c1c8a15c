import HTTPCore
import HTTPServer

/// libFuzzer target for the HTTP/1.1 request parser (docs/fuzzing.md).
///
/// The input is the byte stream of one connection. It is parsed twice, the way `Connection` feeds the parser:
/// once in one piece, and once split into pieces whose sizes derive from the input (reproducible, many of a single
/// byte). Both must find the same requests and the same error: a parser whose answer depends on how TCP cut the
/// stream is a smuggling vector. Every request must also respect its framing, and its target must survive query
/// decoding and routing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = ConnectionRun(bytes, pieces: [bytes.count])
    let split = ConnectionRun(bytes, pieces: Pieces.sizes(for: bytes))
    guard whole.outcome == split.outcome else {
        fatalError("split input parsed differently:\n  whole: \(whole.outcome)\n  split: \(split.outcome)")
    }
    return 0
}

/// Small limits, so that every limit is reachable within `-max_len`.
private let limits = HTTPParserLimits(maxRequestLineBytes: 256, maxHeaderBytes: 512, maxHeaderCount: 12, maxBodyBytes: 1024, maxChunkLineBytes: 32)

/// Routes shaped like the gateway's: literals, parameters, and one exact path.
private let router = Router([
    Route("GET", "/healthz", .inline { _ in HTTPResponse(status: 200) }),
    Route("GET", "/v1/sessions/{session}", .inline { _ in HTTPResponse(status: 200) }),
    Route("POST", "/v1/sessions/{session}/groups/{group}/participants/{action}", .inline { _ in HTTPResponse(status: 200) }),
])

/// One connection's input fed to a parser piece by piece, with the checks made on every request.
private struct ConnectionRun {
    /// What the connection saw, comparable between runs: one line per request, then the error if any.
    private(set) var outcome: [String] = []

    init(_ bytes: [UInt8], pieces: [Int]) {
        var parser = HTTPRequestParser(limits: limits)
        var input: [UInt8] = []
        var start = 0
        var fed = 0
        var pendingHead: HTTPRequestHead? = nil
        for piece in pieces {
            input += bytes[fed..<fed + piece]
            fed += piece
            while true {
                let step: HTTPRequestParser.Step
                let consumed: Int
                do {
                    (step, consumed) = try parser.parse(input, from: start)
                } catch {
                    outcome.append("error \(error) (\(error.status))")
                    return
                }
                check(consumed >= 0 && start + consumed <= input.count, "consumed \(consumed) of \(input.count - start) bytes")
                start += consumed
                if case .needMore = step { break }
                if case .head(let head) = step {
                    check(pendingHead == nil && head.framing != .none, "a head step without a body to follow")
                    pendingHead = head
                    continue
                }
                guard case .request(let head, let body) = step else { continue }
                check(pendingHead == nil || pendingHead!.target == head.target, "the request is not the head announced")
                check(pendingHead != nil || head.framing == .none, "a body request without its head step")
                pendingHead = nil
                check(parser.isIdle && !parser.isReadingBody, "the parser is not idle after a request")
                outcome.append(ConnectionRun.describe(head, body))
            }
        }
        check(fed == bytes.count, "pieces cover \(fed) of \(bytes.count) bytes")
    }

    /// Checks the request's framing and runs what the connection does next (target split, query, routing).
    static func describe(_ head: HTTPRequestHead, _ body: [UInt8]) -> String {
        switch head.framing {
        case .none: check(body.isEmpty, "a request without framing has a body")
        case .length(let length): check(body.count == length, "body of \(body.count) bytes for Content-Length \(length)")
        case .chunked: check(body.count <= limits.maxBodyBytes, "chunked body of \(body.count) bytes over the limit")
        }
        check(!head.method.isEmpty && (head.target.hasPrefix("/") || head.target == "*"), "request line \(head.method) \(head.target)")
        check(head.headers.values("host").count <= 1, "more than one Host")
        let request = HTTPRequest(method: head.method, target: head.target, versionMinor: head.versionMinor, headers: head.headers, body: body)
        let query = request.queryItems.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        let route: String
        do {
            let (matched, parameters) = try router.match(method: request.method, path: request.path)
            route = matched.pattern + " " + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        } catch {
            route = "\(error)"
        }
        return "\(head.method) \(head.target) 1.\(head.versionMinor) headers=\(head.headers.count) \(head.framing) body=\(body.count) "
            + "keepAlive=\(head.keepAlive) continue=\(head.expectContinue) upgrade=\(head.wantsUpgrade) query=\(query) route=\(route)"
    }
}

/// Piece sizes for splitting an input, derived from its bytes so that a crash reproduces from the input alone.
private enum Pieces {
    static func sizes(for bytes: [UInt8]) -> [Int] {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a of the input seeds a xorshift generator
        for byte in bytes { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var sizes: [Int] = []
        var left = bytes.count
        while left > 0 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let size = state % 4 == 0 ? 1 : 1 + Int((state >> 8) % 48)
            sizes.append(min(size, left))
            left -= sizes.last!
        }
        return sizes
    }
}

/// A broken invariant: crash, so libFuzzer keeps the input.
private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant broken: \(message())") }
}
