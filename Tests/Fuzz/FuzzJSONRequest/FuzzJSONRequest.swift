import GroupModel
import JSONCore

/// libFuzzer target for JSON request bodies (docs/fuzzing.md): the input is a request body.
///
/// It is read as the API reads bodies (`FieldReader.body`, then each request type the routes decode) and, when it
/// parses, must round-trip: our writer's output (compact, canonical, pretty) parses back to an equal value, and the
/// canonical form is a fixed point (idempotency keys compare requests by it). Every error the API would answer
/// with must render as JSON that parses again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let json: JSON
    do {
        json = try JSONParser.parse(bytes)
    } catch {
        check(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside \(bytes.count) bytes")
        answer { () throws(GatewayError) in _ = try FieldReader.body(bytes) }
        return 0
    }
    roundTrip(json)
    answer { () throws(GatewayError) in _ = try CreateGroupRequest(json: json) }
    answer { () throws(GatewayError) in _ = try GroupPatch(json: json).capabilities }
    answer { () throws(GatewayError) in _ = try MessageContent(json: json) }
    answer { () throws(GatewayError) in _ = try ParticipantsRequest(json: json) }
    answer { () throws(GatewayError) in _ = try JoinRequestBody(json: json) }
    answer { () throws(GatewayError) in try readEveryField(try FieldReader.body(bytes), depth: 0) }
    return 0
}

/// Compact, canonical and pretty output parse back to the value; canonical bytes are stable.
private func roundTrip(_ json: JSON) {
    for writer in [JSONWriter(), JSONWriter(sortedKeys: true), JSONWriter(pretty: true)] {
        let text = writer.bytes(json)
        guard let again = try? JSONParser.parse(text) else { fatalError("our output does not parse: \(writer.string(json))") }
        check(again == json, "round trip changed the value: \(writer.string(json))")
        check(again.canonicalBytes == json.canonicalBytes, "canonical form is not stable: \(json.text)")
    }
}

/// Reads each field with each `FieldReader` accessor (the routes' own fields go through these), and parses every
/// string as the identifiers the API accepts.
private func readEveryField(_ reader: FieldReader, depth: Int) throws(GatewayError) {
    for key in reader.object.keys {
        answer { () throws(GatewayError) in _ = try reader.string(key, required: true, maxLength: 64, minLength: 1) }
        answer { () throws(GatewayError) in _ = try reader.bool(key, required: true) }
        answer { () throws(GatewayError) in _ = try reader.int(key, required: true, range: 60...315_360_000) }
        answer { () throws(GatewayError) in _ = try reader.stringArray(key, required: true, minCount: 1, maxCount: 8, maxLength: 64) }
        answer { () throws(GatewayError) in _ = try reader.enumeration(key, MessageType.self, required: true) }
        if let text = reader.object[key]?.stringValue {
            _ = UserID.parse(text)
            _ = Invite.code(from: text)
            _ = Identifiers.isValidSessionName(text)
            _ = Identifiers.isGroupJID(text)
        }
        if depth < 4, let nested = try? reader.object(key) { try readEveryField(nested, depth: depth + 1) }
    }
}

/// Runs a decode; an error must render as the JSON body the API would send.
private func answer(_ decode: () throws(GatewayError) -> Void) {
    do {
        try decode()
    } catch {
        let body = error.body.bytes
        check((try? JSONParser.parse(body)) != nil, "error body is not JSON: \(String(decoding: body, as: UTF8.self))")
    }
}

/// A broken invariant: crash, so libFuzzer keeps the input.
private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant broken: \(message())") }
}
