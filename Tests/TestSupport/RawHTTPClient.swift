import Foundation
import Glibc
import JSONCore

/// A blocking TCP client for tests that need exact bytes on the wire: send anything, read responses back.
public final class RawHTTPClient {
    public let descriptor: Int32
    private var buffer: [UInt8] = []

    public init(port: Int, host: String = "127.0.0.1") throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ClientError("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(descriptor)
            throw ClientError("connect failed: errno \(errno)")
        }
        setTimeout(5)
    }

    deinit { Glibc.close(descriptor) }

    public func setTimeout(_ seconds: Double) {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw ClientError("send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Reads one complete response (Content-Length or chunked framing, or until close).
    public func readResponse(headOnly: Bool = false) throws -> RawResponse {
        while true {
            if let (response, used) = RawResponse.parse(buffer, headOnly: headOnly) {
                buffer.removeFirst(used)
                return response
            }
            guard try fill() else {
                if let response = RawResponse.parseUntilClose(buffer) {
                    buffer = []
                    return response
                }
                throw ClientError("connection closed before a complete response (\(buffer.count) bytes buffered)")
            }
        }
    }

    /// True once the server has closed the connection (reads return EOF), false if data or a timeout came first.
    public func waitForClose(timeout: Double) -> Bool {
        setTimeout(timeout)
        defer { setTimeout(5) }
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &scratch, scratch.count, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
            buffer.append(contentsOf: scratch[0..<count])
        }
    }

    private func fill() throws -> Bool {
        var scratch = [UInt8](repeating: 0, count: 65536)
        let count = recv(descriptor, &scratch, scratch.count, 0)
        if count > 0 {
            buffer.append(contentsOf: scratch[0..<count])
            return true
        }
        if count == 0 || errno == ECONNRESET { return false }
        throw ClientError("recv failed or timed out: errno \(errno)")
    }

    public func shutdownWrite() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// What arrived and no response consumed, waiting for more if nothing did (the bytes of an upgraded protocol).
    public func readAvailable() throws -> [UInt8] {
        if buffer.isEmpty { guard try fill() else { throw ClientError("connection closed") } }
        defer { buffer = [] }
        return buffer
    }
}

public struct ClientError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A response as read off the wire.
public struct RawResponse {
    public let status: Int
    public let headers: [(String, String)]
    public let body: [UInt8]

    public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    public var text: String { String(decoding: body, as: UTF8.self) }
    public var json: JSON? { try? JSONParser.parse(body) }
    /// The canonical error code, if the body is an error.
    public var errorCode: String? { json?["error"]?["code"]?.stringValue }

    static func parseHead(_ bytes: [UInt8]) -> (Int, [(String, String)], Int)? {
        guard let end = find(bytes, [13, 10, 13, 10]) else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return (status, headers, end + 4)
    }

    static func parse(_ bytes: [UInt8], headOnly: Bool) -> (RawResponse, Int)? {
        guard let (status, headers, bodyStart) = parseHead(bytes) else { return nil }
        let response = { (body: [UInt8]) in RawResponse(status: status, headers: headers, body: body) }
        if headOnly || status == 204 || status == 304 || (100..<200).contains(status) { return (response([]), bodyStart) }
        let lookup = { (name: String) in headers.first { $0.0.lowercased() == name }?.1 }
        if let length = lookup("content-length").flatMap(Int.init) {
            guard bytes.count >= bodyStart + length else { return nil }
            return (response(Array(bytes[bodyStart..<bodyStart + length])), bodyStart + length)
        }
        if lookup("transfer-encoding")?.lowercased() == "chunked" {
            var index = bodyStart
            var body: [UInt8] = []
            while true {
                guard let lineEnd = find(Array(bytes[index...]), [13, 10]) else { return nil }
                let sizeText = String(decoding: bytes[index..<index + lineEnd], as: UTF8.self)
                guard let size = Int(sizeText.split(separator: ";")[0], radix: 16) else { return nil }
                index += lineEnd + 2
                if size == 0 {
                    guard bytes.count >= index + 2 else { return nil }
                    return (response(body), index + 2)
                }
                guard bytes.count >= index + size + 2 else { return nil }
                body += bytes[index..<index + size]
                index += size + 2
            }
        }
        return nil
    }

    static func parseUntilClose(_ bytes: [UInt8]) -> RawResponse? {
        guard let (status, headers, bodyStart) = parseHead(bytes) else { return nil }
        return RawResponse(status: status, headers: headers, body: Array(bytes[bodyStart...]))
    }

    static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if Array(haystack[index..<index + needle.count]) == needle { return index }
        }
        return nil
    }
}
