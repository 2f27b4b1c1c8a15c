import GroupModel
import JSONCore
import XCTest

final class MessageContentTests: XCTestCase {
    private let group = "120363000000000001@g.us"

    private func decode(_ text: String) throws -> MessageContent { try MessageContent(json: JSONParser.parse(text)) }

    /// The `details.field` of the refusal of `text`, failing the test when it is accepted or fails otherwise.
    private func refusedField(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            let content = try decode(text)
            XCTFail("expected a refusal, got \(content)", file: file, line: line)
        } catch let error as GatewayError {
            XCTAssertEqual(error.code, "invalid_request", file: file, line: line)
            return error.details?["field"]?.stringValue
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    func testTextMessageDefaultsTypeToText() throws {
        let content = try decode(#"{"group":"120363000000000001@g.us","text":"hello"}"#)
        XCTAssertEqual(content.type, .text)
        XCTAssertEqual(content.target, .id(group))
        XCTAssertEqual(content.groupID, group)
        XCTAssertEqual(content.text, "hello")
        XCTAssertNil(content.media)
        XCTAssertEqual(content.mentions, [])
    }

    func testTargetByGroupName() throws {
        let content = try decode(#"{"groupName":"Ops Team","text":"hi"}"#)
        XCTAssertEqual(content.target, .name("Ops Team"))
        XCTAssertNil(content.groupID)
    }

    func testMentionsAreNormalized() throws {
        let content = try decode(#"{"group":"g1","text":"hi @all","mentions":["+1 555 000 0001","15550000002@c.us"]}"#)
        XCTAssertEqual(content.mentions.map(\.jid), ["15550000001@s.whatsapp.net", "15550000002@s.whatsapp.net"])
    }

    func testImageWithMediaAndCaption() throws {
        let content = try decode(#"""
            {"group":"g1","type":"image","caption":"look","mentions":["+15550000001"],
             "media":{"url":"https://example.com/a.jpg","mimeType":"image/jpeg","filename":"a.jpg"}}
            """#)
        XCTAssertEqual(content.type, .image)
        XCTAssertEqual(content.media, MediaRef(url: "https://example.com/a.jpg", mimeType: "image/jpeg", filename: "a.jpg"))
        XCTAssertEqual(content.caption, "look")
        XCTAssertEqual(content.mentions.count, 1)
    }

    func testDocumentWithMimeParametersAndUppercaseScheme() throws {
        let content = try decode(#"{"group":"g1","type":"document","media":{"url":"HTTPS://EXAMPLE.COM/r.pdf","mimeType":"text/plain; charset=utf-8"}}"#)
        XCTAssertEqual(content.media?.url, "HTTPS://EXAMPLE.COM/r.pdf")
        XCTAssertEqual(content.media?.mimeType, "text/plain; charset=utf-8")
        XCTAssertNil(content.caption)
    }

    func testVoiceWithoutCaptionIsAccepted() throws {
        XCTAssertEqual(try decode(#"{"group":"g1","type":"voice","media":{"url":"https://example.com/v.ogg"}}"#).type, .voice)
    }

    func testTargetRefusals() {
        XCTAssertEqual(refusedField(#"{"text":"x"}"#), "group")
        XCTAssertEqual(refusedField(#"{"group":"g1","groupName":"Ops","text":"x"}"#), "groupName")
        XCTAssertEqual(refusedField(#"{"group":"","text":"x"}"#), "group")
        XCTAssertThrowsError(try decode(#"{"group":"bad\u0001id","text":"x"}"#))
    }

    func testTextMessageRefusals() {
        XCTAssertEqual(refusedField(#"{"group":"g1"}"#), "text")
        XCTAssertEqual(refusedField(#"{"group":"g1","text":""}"#), "text")
        XCTAssertEqual(refusedField(#"{"group":"g1","text":"x","media":{"url":"https://example.com/a.jpg"}}"#), "media")
        XCTAssertEqual(refusedField(#"{"group":"g1","text":"x","caption":"c"}"#), "caption")
        XCTAssertEqual(refusedField(#"{"group":"g1","text":5}"#), "text")
        XCTAssertEqual(refusedField(#"{"group":"g1","text":"x","mentions":["nobody"]}"#), "mentions[0]")
        XCTAssertEqual(refusedField(#"{"group":"g1","text":"x","reply":"y"}"#), "reply")
    }

    func testMediaMessageRefusals() {
        XCTAssertEqual(refusedField(#"{"group":"g1","type":"image"}"#), "media")
        XCTAssertEqual(refusedField(#"{"group":"g1","type":"image","text":"x","media":{"url":"https://example.com/a.jpg"}}"#), "text")
        XCTAssertEqual(refusedField(#"{"group":"g1","type":"audio","caption":"c","media":{"url":"https://example.com/a.mp3"}}"#), "caption")
        XCTAssertEqual(refusedField(#"{"group":"g1","type":"voice","caption":"c","media":{"url":"https://example.com/a.ogg"}}"#), "caption")
        XCTAssertEqual(
            refusedField(#"{"group":"g1","type":"video","mentions":["+15550000001"],"media":{"url":"https://example.com/v.mp4"}}"#), "mentions")
        XCTAssertEqual(refusedField(#"{"group":"g1","type":"sticker","media":{"url":"https://example.com/s.webp"}}"#), "type")
    }

    func testMediaURLMustBeAbsoluteHTTP() {
        for url in ["ftp://example.com/a.jpg", "https://", "/relative/a.jpg", "https://exa mple.com/a.jpg", "https://example.com/\u{7F}", "javascript:alert(1)"] {
            let body = JSON.object(["group": "g1", "type": "image", "media": ["url": .string(url)]])
            XCTAssertEqual(refusedField(body.text), "media.url", url)
        }
        XCTAssertEqual(refusedField(#"{"group":"g1","type":"image","media":{}}"#), "media.url")
    }

    func testMediaMimeTypeMustLookLikeTypeSlashSubtype() {
        for mime in ["imagejpeg", "image/", "/jpeg", "image/ jpeg", "a/b/c", "a/"] {
            let body = JSON.object(["group": "g1", "type": "image", "media": ["url": "https://example.com/a", "mimeType": .string(mime)]])
            XCTAssertEqual(refusedField(body.text), "media.mimeType", mime)
        }
    }

    func testMediaFilenameMustBePlain() {
        for name in ["../etc/passwd", "dir/file.pdf", "dir\\file.pdf", "bad\nname.pdf", ""] {
            let body = JSON.object(["group": "g1", "type": "document", "media": ["url": "https://example.com/a", "filename": .string(name)]])
            XCTAssertEqual(refusedField(body.text), "media.filename", name.debugDescription)
        }
    }

    func testMediaRefusesUnknownField() {
        XCTAssertEqual(refusedField(#"{"group":"g1","type":"image","media":{"url":"https://example.com/a","size":3}}"#), "media.size")
    }

    func testTextLengthLimit() throws {
        let atLimit = JSON.object(["group": "g1", "text": .string(String(repeating: "a", count: Limits.text))])
        XCTAssertEqual(try MessageContent(json: atLimit).text?.count, Limits.text)
        let over = JSON.object(["group": "g1", "text": .string(String(repeating: "a", count: Limits.text + 1))])
        XCTAssertEqual(refusedField(over.text), "text")
    }
}
