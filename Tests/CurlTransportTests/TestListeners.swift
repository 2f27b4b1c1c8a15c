import Foundation
import Glibc
import Support

/// Raw TCP listeners on loopback for the ways a server can fail a call, which our own HTTP server never does.
enum LoopbackSocket {
    /// A listening socket on 127.0.0.1 and a port the system chose; the address holds that port.
    static func listen(backlog: Int32) -> (fd: Int32, address: sockaddr_in) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        Glibc.listen(fd, backlog)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (fd, address)
    }
}

/// A listener that accepts, reads the request, and then closes without answering (or, `silent`, holds the
/// connection open and never answers).
final class DroppingListener: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let thread: Thread
    private let held: LockedValue<[Int32]>
    private let backlogFull: Bool

    init(silent: Bool = false, backlogFull: Bool = false) throws {
        let (fd, address) = LoopbackSocket.listen(backlog: backlogFull ? 0 : 16)
        self.fd = fd
        self.backlogFull = backlogFull
        port = Int(UInt16(bigEndian: address.sin_port))
        let listener = fd
        let held = LockedValue<[Int32]>([])
        self.held = held
        if backlogFull {
            // Fill the queue with connections nobody accepts.
            for _ in 0..<4 {
                let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0)
                var target = address
                _ = withUnsafePointer(to: &target) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
                held.withLock { $0.append(client) }
            }
            usleep(100_000)
            thread = Thread {}
            return
        }
        thread = Thread {
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 {
                    Glibc.close(listener)  // here, not in `close()` (see SecondRequestDropper)
                    return
                }
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = recv(client, &buffer, buffer.count, 0)
                if silent { held.withLock { $0.append(client) } } else { Glibc.close(client) }
            }
        }
        thread.start()
    }

    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        if backlogFull { Glibc.close(fd) }  // otherwise the accepting thread closes it
        for client in held.get() { Glibc.close(client) }
    }
}

/// A keep-alive server that answers the first request on each connection and closes the connection on the
/// second without answering — the race of a server dropping an idle connection as a request goes out.
final class SecondRequestDropper: @unchecked Sendable {
    let port: Int
    /// Request lines received, in order, over all connections.
    let requests = LockedValue<[String]>([])
    private let fd: Int32

    init() throws {
        let (fd, address) = LoopbackSocket.listen(backlog: 16)
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let requests = requests
        Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 {
                    // Closed here, not in `close()`: a number freed while this thread could still call accept on
                    // it may already belong to the next test's listener.
                    Glibc.close(fd)
                    return
                }
                var served = 0
                while let line = SecondRequestDropper.readRequest(client) {
                    requests.withLock { $0.append(line) }
                    served += 1
                    if served == 2 { break }
                    let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)
                    _ = answer.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
                Glibc.close(client)
            }
        }.start()
    }

    /// One request (head and `Content-Length` body); its request line, or nil when the connection ends first.
    private static func readRequest(_ client: Int32) -> String? {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = received.indices.dropLast(3).first(where: { received[$0..<$0 + 4].elementsEqual("\r\n\r\n".utf8) }) {
                let head = String(decoding: received[..<end], as: UTF8.self)
                let lengthLine = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                let bodyLength = lengthLine.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count >= end + 4 + bodyLength { return head.split(separator: "\r\n").first.map(String.init) }
            }
            let count = recv(client, &chunk, chunk.count, 0)
            if count <= 0 { return nil }
            received += chunk[..<count]
        }
    }

    /// Stops accepting; the accepting thread closes the socket.
    func close() { shutdown(fd, Int32(SHUT_RDWR)) }
}
