import HTTPCore

/// The writer a streaming response body writes through, from any thread.
final class StreamWriter: ConnectionWriter, ResponseStreamWriter, @unchecked Sendable {
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool { enqueue(bytes) { $0.writeStream($1) } }

    func finish() { onConnection { $0.finishStream() } }
}
