/// Why a request was refused by the parser. Every case closes the connection after the error response:
/// once framing is in doubt, nothing after it on the wire can be trusted (RFC 9112 §11.2).
public enum HTTPParseError: Error, Sendable, Equatable {
    case malformedRequestLine
    case requestLineTooLong
    case unsupportedVersion
    case invalidLineEnding
    case headerWithoutColon
    case obsoleteLineFolding
    case invalidHeaderName
    case invalidHeaderValue
    case headersTooLarge
    case tooManyHeaders
    case missingHost
    case duplicateHost
    case contentLengthWithTransferEncoding
    case duplicateContentLength
    case invalidContentLength
    case unknownTransferEncoding
    case transferEncodingInHTTP10
    case invalidChunkSize
    case invalidChunkTerminator
    case bodyTooLarge
    case unsupportedExpectation

    /// The HTTP status of the error response.
    public var status: Int {
        switch self {
        case .requestLineTooLong: 414
        case .headersTooLarge, .tooManyHeaders: 431
        case .bodyTooLarge: 413
        case .unsupportedVersion: 505
        case .unsupportedExpectation: 417
        default: 400
        }
    }

    /// A message for the client: what was wrong, without echoing the input.
    public var message: String {
        switch self {
        case .malformedRequestLine: "The request line is malformed; expected 'METHOD /path HTTP/1.1'."
        case .requestLineTooLong: "The request line is longer than the server accepts."
        case .unsupportedVersion: "Only HTTP/1.0 and HTTP/1.1 are supported."
        case .invalidLineEnding: "Lines must end with CRLF; a bare LF or CR was found."
        case .headerWithoutColon: "A header line has no colon."
        case .obsoleteLineFolding: "Header line folding (obs-fold) is not accepted."
        case .invalidHeaderName: "A header name is empty, has whitespace before the colon, or contains invalid characters."
        case .invalidHeaderValue: "A header value contains control characters."
        case .headersTooLarge: "The header section is larger than the server accepts."
        case .tooManyHeaders: "The request has more header fields than the server accepts."
        case .missingHost: "HTTP/1.1 requests need a Host header."
        case .duplicateHost: "The request has more than one Host header."
        case .contentLengthWithTransferEncoding: "Content-Length and Transfer-Encoding must not both be present."
        case .duplicateContentLength: "The request has more than one Content-Length."
        case .invalidContentLength: "Content-Length must be a non-negative decimal integer."
        case .unknownTransferEncoding: "Only 'Transfer-Encoding: chunked' is supported."
        case .transferEncodingInHTTP10: "Transfer-Encoding is not allowed in HTTP/1.0 requests."
        case .invalidChunkSize: "A chunk size line is malformed or overflows."
        case .invalidChunkTerminator: "A chunk is not followed by CRLF."
        case .bodyTooLarge: "The request body is larger than the server accepts."
        case .unsupportedExpectation: "Only 'Expect: 100-continue' is supported."
        }
    }
}
