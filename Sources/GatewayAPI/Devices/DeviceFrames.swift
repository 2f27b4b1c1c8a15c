import GroupModel
import JSONCore

/// The device protocol's frames (docs/native-protocol.md): JSON text frames, pure encoding and decoding.
enum DeviceFrames {
    /// What a device may send. `ref` is the device's own label, echoed in the answer.
    enum Command: Sendable, Equatable {
        /// Every event up to `seq` arrived: the messages among them get `delivered` receipts.
        case ack(seq: Int64, ref: String?)
        case read(message: String, ref: String?)
        /// `message` is the body of `POST /v1/sessions/{s}/messages`.
        case send(message: JSON, idempotencyKey: String?, ref: String?)
        case typing(group: String, typing: Bool, ref: String?)

        var ref: String? {
            switch self {
            case .ack(_, let ref), .read(_, let ref), .send(_, _, let ref), .typing(_, _, let ref): ref
            }
        }

        var name: String {
            switch self {
            case .ack: "ack"
            case .read: "read"
            case .send: "send"
            case .typing: "typing"
            }
        }
    }

    /// A frame that breaks the protocol (not JSON, not an object, an unknown type, a malformed field): the
    /// connection is closed with 1008 and this reason.
    struct Violation: Error, Sendable, Equatable {
        let reason: String
    }

    static let maxRef = 64

    static func parse(_ text: String) throws(Violation) -> Command {
        let reader: FieldReader
        do {
            reader = try FieldReader.body(Array(text.utf8))
        } catch {
            throw Violation(reason: "Frames are JSON objects: \(error.message)")
        }
        do {
            let ref = try reader.string("ref", maxLength: maxRef, minLength: 1)
            switch try reader.string("type", required: true) {
            case "ack":
                try reader.allowOnly(["type", "ref", "seq"])
                return .ack(seq: try reader.int("seq", required: true, range: 0...Int64.max) ?? 0, ref: ref)
            case "read":
                try reader.allowOnly(["type", "ref", "message"])
                return .read(message: try reader.string("message", required: true, maxLength: 128, minLength: 1) ?? "", ref: ref)
            case "send":
                try reader.allowOnly(["type", "ref", "idempotencyKey", "message"])
                guard let message = try reader.object("message") else {
                    throw GatewayError.invalidRequest("'message' (the HTTP send body) is required.", details: ["field": "message"])
                }
                let key = try reader.string("idempotencyKey", maxLength: 255, minLength: 1)
                return .send(message: .object(message.object), idempotencyKey: key, ref: ref)
            case "typing":
                try reader.allowOnly(["type", "ref", "group", "state"])
                let group = try reader.string("group", required: true, maxLength: 256, minLength: 1) ?? ""
                switch try reader.string("state") ?? "typing" {
                case "typing": return .typing(group: group, typing: true, ref: ref)
                case "paused": return .typing(group: group, typing: false, ref: ref)
                default: throw GatewayError.invalidRequest("'state' is 'typing' or 'paused'.", details: ["field": "state"])
                }
            case let other:
                throw GatewayError.invalidRequest("Unknown frame type '\(other ?? "")'; devices send ack, read, send or typing.")
            }
        } catch let error as GatewayError {
            throw Violation(reason: error.message)
        } catch {
            throw Violation(reason: "\(error)")
        }
    }

    // MARK: - Server → device

    static func ready(session: String, after: Int64, head: Int64) -> String {
        text(["type": "ready", "session": .string(session), "after": .int(after), "head": .int(head)])
    }

    static func event(seq: Int64, _ event: JSON) -> String {
        text(["type": "event", "seq": .int(seq), "event": event])
    }

    /// A command that worked; `data` adds what it produced (a send's message and status).
    static func ok(_ command: Command, data: JSONObject = [:]) -> String {
        var object: JSONObject = ["type": "ok", "for": .string(command.name), "ref": .string(command.ref)]
        for member in data { object[member.key] = member.value }
        return text(.object(object))
    }

    /// A command that failed: the canonical error shape under `error`, with its HTTP status.
    static func error(_ command: Command, status: Int, body: JSON) -> String {
        text(["type": "error", "for": .string(command.name), "ref": .string(command.ref), "status": .int(Int64(status)), "error": body["error"] ?? body])
    }

    private static func text(_ value: JSON) -> String { String(decoding: value.bytes, as: UTF8.self) }
}
