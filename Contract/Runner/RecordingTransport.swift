import Foundation
import HTTPCore
import JSONCore
import Support

/// Passes an adapter's calls to a real transport and keeps each request and answer (or transport fault), for
/// `switchboard contract record`.
public final class RecordingTransport: HTTPTransport, Sendable {
    public struct Call: Sendable {
        public let request: TransportRequest
        /// nil when the call failed at the transport.
        public let response: TransportResponse?
        public let fault: TransportError?
    }

    private let inner: any HTTPTransport
    private let calls = LockedValue<[Call]>([])

    public init(_ inner: any HTTPTransport) { self.inner = inner }

    public func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
        do {
            let response = try await inner.send(request)
            calls.withLock { $0.append(Call(request: request, response: response, fault: nil)) }
            return response
        } catch {
            calls.withLock { $0.append(Call(request: request, response: nil, fault: error)) }
            throw error
        }
    }

    /// The calls since the last `take()`, and forgets them.
    public func take() -> [Call] {
        calls.withLock { current in
            defer { current = [] }
            return current
        }
    }
}

/// Replaces secrets and phone numbers in recorded traffic with stable placeholders, so recorded fixtures can be
/// shared: each secret becomes `redacted-<credential name>` (requests and credentials stay consistent, so the
/// fixture still replays), each phone number a fictional `+1555…` number, the same one every time it appears
/// (as `+E.164`, bare digits, or a JID's user part).
public final class Redactor: Sendable {
    private let secrets: [(value: String, placeholder: String)]
    private let phones = LockedValue<[String: String]>([:])

    /// - Parameter secrets: credential name → value.
    public init(secrets: [String: String]) {
        // Longest first, so a secret containing another is replaced whole.
        self.secrets = secrets.filter { $0.value.count >= 4 }.map { ($0.value, "redacted-\($0.key)") }.sorted { $0.value.count > $1.value.count }
    }

    public func redact(_ json: JSON) -> JSON { json.mappingStrings(keys: true, redact) }

    public func redact(_ text: String) -> String {
        var text = text
        for secret in secrets where text.contains(secret.value) { text = text.replacingOccurrences(of: secret.value, with: secret.placeholder) }
        return redactPhones(text)
    }

    /// Runs of 10–15 digits not inside a word or a longer run (group ids are 18 digits, timestamps 10 or 13 digits starting
    /// with 1 — timestamps are kept when they look like this era's epoch seconds or milliseconds).
    private func redactPhones(_ text: String) -> String {
        var out = ""
        var digits = ""
        var afterLetter = false
        func flush(beforeLetter: Bool) {
            // Digits inside a word (message ids like `3EB0…`) are not phone numbers.
            if (10...15).contains(digits.count), !afterLetter, !beforeLetter, !Redactor.looksLikeTimestamp(digits) {
                out += phones.withLock { map in
                    if let known = map[digits] { return known }
                    let fictional = "1555" + String(format: "%07d", map.count + 1)
                    map[digits] = fictional
                    return fictional
                }
            } else {
                out += digits
            }
            digits = ""
        }
        for character in text {
            if character.isASCII, character.isNumber {
                if digits.isEmpty { afterLetter = out.last.map { $0.isLetter } ?? false }
                digits.append(character)
            } else {
                flush(beforeLetter: character.isLetter)
                out.append(character)
            }
        }
        flush(beforeLetter: false)
        return out
    }

    static func looksLikeTimestamp(_ digits: String) -> Bool {
        guard let value = Double(digits) else { return false }
        let seconds = digits.count == 13 ? value / 1000 : value
        return (digits.count == 10 || digits.count == 13) && seconds > 1_500_000_000 && seconds < 2_500_000_000
    }
}
