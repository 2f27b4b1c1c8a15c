/// Serialises JSON to UTF-8 bytes: compact by default, optionally with sorted keys (a canonical form for
/// hashing and fingerprints) or indented for people.
public struct JSONWriter: Sendable {
    public var sortedKeys: Bool
    public var pretty: Bool

    public init(sortedKeys: Bool = false, pretty: Bool = false) {
        self.sortedKeys = sortedKeys
        self.pretty = pretty
    }

    public func bytes(_ value: JSON) -> [UInt8] {
        // Already-rendered compact JSON (cached group info) is returned as is, without a copy.
        if case .raw(let rendered) = value, !sortedKeys && !pretty { return rendered }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out, indent: 0)
        return out
    }

    public func string(_ value: JSON) -> String { String(decoding: bytes(value), as: UTF8.self) }

    public func write(_ value: JSON, into out: inout [UInt8], indent: Int = 0) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d):
            if d.isFinite {
                out.append(contentsOf: d.description.utf8)
            } else {
                out.append(contentsOf: "null".utf8)  // JSON has no NaN or infinity.
            }
        case .string(let s): JSONWriter.writeString(s, into: &out)
        case .raw(let bytes):
            if sortedKeys || pretty {
                write(value.resolved, into: &out, indent: indent)  // canonical or readable output re-renders
            } else {
                out.append(contentsOf: bytes)
            }
        case .array(let array):
            out.append(UInt8(ascii: "["))
            for (offset, element) in array.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                newline(into: &out, indent: indent + 1)
                write(element, into: &out, indent: indent + 1)
            }
            if !array.isEmpty { newline(into: &out, indent: indent) }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            let members = sortedKeys ? object.members.sorted { $0.key < $1.key } : object.members
            for (offset, member) in members.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                newline(into: &out, indent: indent + 1)
                JSONWriter.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(UInt8(ascii: " ")) }
                write(member.value, into: &out, indent: indent + 1)
            }
            if !members.isEmpty { newline(into: &out, indent: indent) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private func newline(into out: inout [UInt8], indent: Int) {
        guard pretty else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Writes a quoted, escaped string. Control characters are escaped; everything else is raw UTF-8.
    public static func writeString(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var copy = string
        copy.withUTF8 { utf8 in
            // Fast path: copy runs of bytes that need no escaping in bulk.
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                }
            }
            if runStart < utf8.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSON {
    /// Compact UTF-8 bytes.
    public var bytes: [UInt8] { JSONWriter().bytes(self) }
    /// Compact text.
    public var text: String { JSONWriter().string(self) }
    /// Canonical bytes: compact with sorted keys (for hashes and comparisons of meaning).
    public var canonicalBytes: [UInt8] { JSONWriter(sortedKeys: true).bytes(self) }
}
