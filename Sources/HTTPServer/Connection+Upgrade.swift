import Glibc
import HTTPCore
import JSONCore
import Support

/// The protocol that owns a connection after `101 Switching Protocols`, and what the connection does for it.
struct UpgradedConnection {
    let handler: any ConnectionUpgrade
    let channel: UpgradeChannel
    var reading = true
    /// Close once the output is written.
    var closing = false
}

/// A connection after `101 Switching Protocols`: no more HTTP; its bytes go to the upgrade and back.
extension Connection {
    /// An upgraded connection's bytes go to its protocol as they arrive (unless it paused reading).
    func readUpgraded() {
        let buffer = loop.scratch
        for _ in 0..<4 {
            guard let upgraded, upgraded.reading, !upgraded.closing, !isClosed else { break }
            let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if count > 0 {
                upgraded.handler.received(Array(UnsafeRawBufferPointer(rebasing: buffer[0..<count])))
                if count < buffer.count { break }
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            close()  // the client closed the TCP connection, or it failed
            return
        }
        flush()
    }

    /// Hands the connection to `handler`: no more HTTP; bytes that came after the request are its first input.
    /// Only the write timeout still applies (the protocol keeps its own liveness rules).
    func upgrade(to handler: any ConnectionUpgrade) {
        let channel = UpgradeChannel(loop: loop, connectionID: id)
        upgraded = UpgradedConnection(handler: handler, channel: channel)
        clock.dispatched()
        let leftover = inputStart < input.count ? Array(input[inputStart...]) : []
        input = []
        inputStart = 0
        flush()
        guard !isClosed else { return }
        handler.start(channel)
        if !leftover.isEmpty { handler.received(leftover) }
        if peerClosed {
            close()
        } else if loop.server.isShuttingDown {
            handler.serverStopping()
        }
    }

    func writeUpgraded(_ bytes: [UInt8]) {
        guard upgraded != nil, !isClosed else { return }
        output.append(contentsOf: bytes)
        if output.count - outputStart > loop.server.configuration.maxUpgradedOutput {
            loop.server.logger.warning("upgraded connection closed: the client does not read", ["queuedBytes": .int(Int64(output.count - outputStart))])
            close()
            return
        }
        flush()
    }

    func setUpgradedReading(_ reading: Bool) {
        guard upgraded != nil, !isClosed, upgraded?.reading != reading else { return }
        upgraded?.reading = reading
        updateInterest()
        if reading { readUpgraded() }
    }

    func closeUpgraded() {
        guard upgraded != nil, !isClosed else { return }
        upgraded?.closing = true
        flush()
    }
}
