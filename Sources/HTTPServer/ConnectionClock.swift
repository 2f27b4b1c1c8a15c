/// The timeout policy of one connection as a pure value: the connection reports what happens, and asks
/// `check(now:)` what to do. No sockets, so every rule is unit-tested directly.
///
/// Phases and their rule:
/// - `idle` (between requests): closed quietly after `idleTimeout` without a byte.
/// - `head` (first byte of a request seen): the whole head within `headerTimeout` of that byte, else 408.
/// - `body`: a byte at least every `bodyProgressTimeout`, and the whole body within `bodyTimeout`, else 408.
/// - `processing` (a handler runs): no limit here; handlers own their deadlines.
/// - `writing` (bytes wait for the client): the client must take bytes within `writeTimeout`, else closed.
struct ConnectionClock: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        case idle(since: Double)
        case head(started: Double)
        case body(started: Double, lastProgress: Double)
        case processing
    }

    enum Verdict: Sendable, Equatable {
        case keep
        /// Close without a response (idle keep-alive, or a client that stopped reading).
        case close
        /// Answer 408 and close (slow head or body).
        case requestTimeout
    }

    let headerTimeout: Double
    let idleTimeout: Double
    let bodyProgressTimeout: Double
    let bodyTimeout: Double
    let writeTimeout: Double

    private(set) var phase: Phase
    /// When the oldest unwritten byte was queued, or when the client last took bytes; nil when nothing waits.
    private(set) var writeStalledSince: Double?

    init(now: Double, headerTimeout: Double, idleTimeout: Double, bodyProgressTimeout: Double, bodyTimeout: Double, writeTimeout: Double) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.bodyProgressTimeout = bodyProgressTimeout
        self.bodyTimeout = bodyTimeout
        self.writeTimeout = writeTimeout
        phase = .idle(since: now)
    }

    /// Bytes of a request arrived.
    mutating func received(now: Double, readingBody: Bool) {
        switch phase {
        case .idle: phase = readingBody ? .body(started: now, lastProgress: now) : .head(started: now)
        case .head(let started): if readingBody { phase = .body(started: now, lastProgress: now) } else { phase = .head(started: started) }
        case .body(let started, _): phase = .body(started: started, lastProgress: now)
        case .processing: break
        }
    }

    /// The head was parsed and a body follows.
    mutating func headParsed(now: Double) { phase = .body(started: now, lastProgress: now) }

    /// A complete request went to a handler.
    mutating func dispatched() { phase = .processing }

    /// The response was queued and the connection waits for the next request.
    mutating func responded(now: Double) { phase = .idle(since: now) }

    /// Output is pending (`true`) or was fully written (`false`); a partial write counts as progress.
    mutating func output(pending: Bool, now: Double) { writeStalledSince = pending ? now : nil }

    func check(now: Double) -> Verdict {
        if let stalled = writeStalledSince, now - stalled > writeTimeout { return .close }
        switch phase {
        case .idle(let since): return writeStalledSince == nil && now - since > idleTimeout ? .close : .keep
        case .head(let started): return now - started > headerTimeout ? .requestTimeout : .keep
        case .body(let started, let lastProgress):
            return now - lastProgress > bodyProgressTimeout || now - started > bodyTimeout ? .requestTimeout : .keep
        case .processing: return .keep
        }
    }
}
