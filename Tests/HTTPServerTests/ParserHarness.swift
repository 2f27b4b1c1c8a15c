import HTTPServer

/// Feeds bytes to a parser the way a connection does, collecting complete requests.
struct ParserHarness {
    var parser: HTTPRequestParser
    var pending: [UInt8] = []
    var heads: [HTTPRequestHead] = []
    var requests: [(head: HTTPRequestHead, body: [UInt8])] = []

    init(limits: HTTPParserLimits = HTTPParserLimits()) { parser = HTTPRequestParser(limits: limits) }

    mutating func feed(_ bytes: [UInt8]) throws(HTTPParseError) {
        pending += bytes
        while true {
            let (step, consumed) = try parser.parse(pending)
            pending.removeFirst(consumed)
            switch step {
            case .needMore: return
            case .head(let head): heads.append(head)
            case .request(let head, let body): requests.append((head, body))
            }
        }
    }

    mutating func feed(_ text: String) throws(HTTPParseError) { try feed(Array(text.utf8)) }

    /// Parses `text` in one go and returns the error, if any.
    static func error(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPParseError? {
        var harness = ParserHarness(limits: limits)
        do {
            try harness.feed(text)
            return nil
        } catch {
            return error
        }
    }

    static func requests(_ text: String) throws -> [(head: HTTPRequestHead, body: [UInt8])] {
        var harness = ParserHarness()
        try harness.feed(text)
        return harness.requests
    }
}
