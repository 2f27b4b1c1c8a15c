import Dispatch
import Foundation
import GatewayCore
import GroupModel
import HTTPCore
import JSONCore
import Support

/// `GET /v1/events/stream`: Server-Sent Events from the event log. Each event is `id: <cursor>`, `event: <type>`,
/// `data: <canonical event JSON>`; a client resumes with `Last-Event-ID` (or `?after=`) without gaps or duplicates,
/// since the id is the log's cursor. New events are pushed as they commit; a comment line every 15 s keeps proxies
/// from closing an idle stream. A slow client is not buffered without bound: above 1 MiB queued, reading pauses
/// until the kernel takes the bytes.
final class EventStream: ResponseStream, @unchecked Sendable {
    private let log: EventLog
    private let sessions: [String]?
    private let types: [String]?
    private let queue = DispatchQueue(label: "switchboard.sse")
    // Touched on `queue` only.
    private var cursor: Int64?
    private var writer: (any ResponseStreamWriter)?
    private var listener: UInt64?
    private var heartbeat: (any DispatchSourceTimer)?
    private var closed = false

    static let maxBuffered = 1 << 20
    static let heartbeatSeconds = 15

    init(log: EventLog, after: Int64?, sessions: [String]?, types: [String]?) {
        self.log = log
        self.cursor = after
        self.sessions = sessions
        self.types = types
    }

    func start(_ writer: any ResponseStreamWriter) {
        queue.async { [self] in
            self.writer = writer
            _ = writer.write(Array("retry: 2000\n\n".utf8))
            // The log's listener keeps the stream alive until `close()` removes it (the client went away).
            listener = log.addListener { [self] in queue.async { self.pump() } }
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + .seconds(Self.heartbeatSeconds), repeating: .seconds(Self.heartbeatSeconds))
            timer.setEventHandler { [weak self] in
                guard let self, let writer = self.writer else { return }
                if !writer.write(Array(": keep-alive\n\n".utf8)) { self.close() } else { self.pump() }
            }
            timer.resume()
            heartbeat = timer
            writer.onClose { [self] in queue.async { self.close() } }
            pump()
        }
    }

    /// Writes every event after the cursor, page by page, while the client keeps up.
    private func pump() {
        guard !closed, let writer else { return }
        while writer.bufferedBytes < Self.maxBuffered {
            guard let page = try? log.page(after: cursor, sessions: sessions, types: types, limit: 200), !page.isEmpty else { return }
            var out: [UInt8] = []
            for entry in page {
                out += Array("id: \(entry.seq)\nevent: \(entry.event.type.rawValue)\ndata: ".utf8)
                out += entry.event.json.bytes
                out += Array("\n\n".utf8)
            }
            cursor = page.last?.seq
            if !writer.write(out) {
                close()
                return
            }
        }
    }

    private func close() {
        guard !closed else { return }
        closed = true
        if let listener { log.removeListener(listener) }
        heartbeat?.cancel()
        heartbeat = nil
        writer = nil
    }
}
