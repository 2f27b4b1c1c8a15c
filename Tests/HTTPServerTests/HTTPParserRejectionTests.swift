import HTTPServer
import XCTest

/// One test per malformed input: each must be refused with the right error (and so the right status).
final class HTTPParserRejectionTests: XCTestCase {
    private func assertRejects(_ text: String, _ expected: HTTPParseError, limits: HTTPParserLimits = HTTPParserLimits(), file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ParserHarness.error(text, limits: limits), expected, file: file, line: line)
    }

    // MARK: - Request line

    func testRejectsRequestLineWithoutVersion() { assertRejects("GET /\r\nHost: a\r\n\r\n", .malformedRequestLine) }
    func testRejectsRequestLineWithDoubleSpace() { assertRejects("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine) }
    func testRejectsRequestLineWithTrailingSpace() { assertRejects("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", .malformedRequestLine) }
    func testRejectsMethodWithInvalidCharacter() { assertRejects("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine) }
    func testRejectsLowercaseProtocolName() { assertRejects("GET / http/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine) }
    func testRejectsTargetWithControlCharacter() { assertRejects("GET /a\u{01}b HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine) }
    func testRejectsAuthorityFormTargetForGet() { assertRejects("GET example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine) }
    func testRejectsAsteriskTargetForGet() { assertRejects("GET * HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine) }
    func testRejectsHTTP2Version() { assertRejects("GET / HTTP/2.0\r\nHost: a\r\n\r\n", .unsupportedVersion) }
    func testRejectsEmptyLinesForever() { assertRejects(String(repeating: "\r\n", count: 9) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine) }

    func testRejectsOverlongRequestLineWith414() {
        let limits = HTTPParserLimits(maxRequestLineBytes: 64)
        assertRejects("GET /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\nHost: a\r\n\r\n", .requestLineTooLong, limits: limits)
        XCTAssertEqual(HTTPParseError.requestLineTooLong.status, 414)
    }

    func testRejectsOverlongRequestLineBeforeItsEndArrives() {
        let limits = HTTPParserLimits(maxRequestLineBytes: 64)
        assertRejects("GET /" + String(repeating: "a", count: 100), .requestLineTooLong, limits: limits)
    }

    // MARK: - Line endings

    func testRejectsBareLFInHead() { assertRejects("GET / HTTP/1.1\nHost: a\r\n\r\n", .invalidLineEnding) }
    func testRejectsBareLFEndingHead() { assertRejects("GET / HTTP/1.1\r\nHost: a\r\n\n", .invalidLineEnding) }
    func testRejectsBareCRInHead() { assertRejects("GET / HTTP/1.1\rHost: a\r\n\r\n", .invalidLineEnding) }
    func testRejectsBareLFAsFirstByte() { assertRejects("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidLineEnding) }

    // MARK: - Header fields

    func testRejectsHeaderWithoutColon() { assertRejects("GET / HTTP/1.1\r\nHost: a\r\nNoColonHere\r\n\r\n", .headerWithoutColon) }
    func testRejectsObsoleteLineFolding() { assertRejects("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n  folded\r\n\r\n", .obsoleteLineFolding) }
    func testRejectsObsoleteLineFoldingWithTab() { assertRejects("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tfolded\r\n\r\n", .obsoleteLineFolding) }
    func testRejectsWhitespaceBeforeColon() { assertRejects("GET / HTTP/1.1\r\nHost : a\r\n\r\n", .invalidHeaderName) }
    func testRejectsEmptyHeaderName() { assertRejects("GET / HTTP/1.1\r\nHost: a\r\n: value\r\n\r\n", .invalidHeaderName) }
    func testRejectsHeaderNameWithInvalidCharacter() { assertRejects("GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n", .invalidHeaderName) }
    func testRejectsControlCharacterInHeaderValue() { assertRejects("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{00}c\r\n\r\n", .invalidHeaderValue) }
    func testRejectsDeleteCharacterInHeaderValue() { assertRejects("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{7F}\r\n\r\n", .invalidHeaderValue) }

    func testRejectsHeaderSectionOverLimitWith431() {
        let limits = HTTPParserLimits(maxHeaderBytes: 256)
        assertRejects("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "b", count: 400) + "\r\n\r\n", .headersTooLarge, limits: limits)
        XCTAssertEqual(HTTPParseError.headersTooLarge.status, 431)
    }

    func testRejectsHeaderSectionOverLimitBeforeItEnds() {
        let limits = HTTPParserLimits(maxHeaderBytes: 256)
        assertRejects("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "b", count: 400), .headersTooLarge, limits: limits)
    }

    func testRejectsTooManyHeadersWith431() {
        let limits = HTTPParserLimits(maxHeaderCount: 10)
        let fields = (0..<11).map { "X-\($0): v\r\n" }.joined()
        assertRejects("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n", .tooManyHeaders, limits: limits)
        XCTAssertEqual(HTTPParseError.tooManyHeaders.status, 431)
    }

    func testRejectsMissingHostInHTTP11() { assertRejects("GET / HTTP/1.1\r\nX-A: b\r\n\r\n", .missingHost) }
    func testRejectsDuplicateHost() { assertRejects("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .duplicateHost) }
    func testRejectsUnsupportedExpectation() { assertRejects("POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx", .unsupportedExpectation) }

    // MARK: - Framing (request smuggling)

    func testRejectsContentLengthWithTransferEncoding() {
        assertRejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .contentLengthWithTransferEncoding)
    }

    func testRejectsTransferEncodingWithContentLength() {
        assertRejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", .contentLengthWithTransferEncoding)
    }

    func testRejectsDuplicateContentLengthEvenWhenEqual() {
        assertRejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", .duplicateContentLength)
    }

    func testRejectsContentLengthList() { assertRejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello", .duplicateContentLength) }
    func testRejectsNonNumericContentLength() { assertRejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: five\r\n\r\n", .invalidContentLength) }
    func testRejectsNegativeContentLength() { assertRejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", .invalidContentLength) }
    func testRejectsSignedContentLength() { assertRejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", .invalidContentLength) }
    func testRejectsEmptyContentLength() { assertRejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", .invalidContentLength) }

    func testRejectsContentLengthOverLimitWith413BeforeTheBody() {
        let limits = HTTPParserLimits(maxBodyBytes: 100)
        assertRejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n", .bodyTooLarge, limits: limits)
        XCTAssertEqual(HTTPParseError.bodyTooLarge.status, 413)
    }

    func testRejectsHugeContentLengthWithoutOverflow() {
        assertRejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999999\r\n\r\n", .bodyTooLarge)
    }

    func testRejectsUnknownTransferCoding() { assertRejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", .unknownTransferEncoding) }
    func testRejectsStackedTransferCodings() { assertRejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unknownTransferEncoding) }
    func testRejectsChunkedTwice() { assertRejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", .unknownTransferEncoding) }
    func testRejectsTwoTransferEncodingFields() {
        assertRejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", .unknownTransferEncoding)
    }
    func testRejectsIdentityTransferCoding() { assertRejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", .unknownTransferEncoding) }
    func testRejectsTransferEncodingInHTTP10() { assertRejects("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .transferEncodingInHTTP10) }

    // MARK: - Chunks

    private let chunkedHead = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"

    func testRejectsNonHexChunkSize() { assertRejects(chunkedHead + "zz\r\nhello\r\n0\r\n\r\n", .invalidChunkSize) }
    func testRejectsEmptyChunkSize() { assertRejects(chunkedHead + "\r\nhello\r\n0\r\n\r\n", .invalidChunkSize) }
    func testRejectsHexPrefixInChunkSize() { assertRejects(chunkedHead + "0x5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize) }
    func testRejectsChunkSizeOverflow() { assertRejects(chunkedHead + "FFFFFFFFFFFFFFFFF1\r\nhello\r\n0\r\n\r\n", .invalidChunkSize) }
    func testRejectsSpaceAfterChunkSizeWithoutExtension() { assertRejects(chunkedHead + "5 \r\nhello\r\n0\r\n\r\n", .invalidChunkSize) }
    func testRejectsControlCharacterInChunkExtension() { assertRejects(chunkedHead + "5;a=\u{01}\r\nhello\r\n0\r\n\r\n", .invalidChunkSize) }
    func testRejectsBareLFAfterChunkSize() { assertRejects(chunkedHead + "5\nhello\r\n0\r\n\r\n", .invalidLineEnding) }
    func testRejectsChunkDataWithoutCRLF() { assertRejects(chunkedHead + "5\r\nhelloXX0\r\n\r\n", .invalidChunkTerminator) }
    func testRejectsChunkDataLongerThanDeclared() { assertRejects(chunkedHead + "3\r\nhello\r\n0\r\n\r\n", .invalidChunkTerminator) }
    func testRejectsOverlongChunkSizeLine() { assertRejects(chunkedHead + "5;" + String(repeating: "x", count: 2000) + "\r\n", .invalidChunkSize) }

    func testRejectsChunkedBodyOverLimitWith413() {
        let limits = HTTPParserLimits(maxBodyBytes: 8)
        assertRejects(chunkedHead + "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", .bodyTooLarge, limits: limits)
    }

    func testRejectsTrailerWithoutColon() { assertRejects(chunkedHead + "5\r\nhello\r\n0\r\nbad trailer\r\n\r\n", .headerWithoutColon) }

    // MARK: - Statuses

    func testMalformedInputMapsTo400() {
        for error in [HTTPParseError.malformedRequestLine, .invalidLineEnding, .headerWithoutColon, .obsoleteLineFolding, .contentLengthWithTransferEncoding,
            .duplicateContentLength, .invalidContentLength, .unknownTransferEncoding, .invalidChunkSize, .missingHost]
        {
            XCTAssertEqual(error.status, 400, "\(error)")
            XCTAssertFalse(error.message.isEmpty)
        }
    }
}
