import Foundation

/// Time-sortable identifiers (`msg_01JD4X…`): 48 bits of milliseconds and 80 random bits in Crockford base32,
/// in the manner of ULID, monotonic within one process so that ids minted in the same millisecond still sort.
public enum SortableID {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    private static let state = LockedValue<(millis: UInt64, random: (UInt16, UInt64))>((0, (0, 0)))

    /// A new id with the given prefix, e.g. `make("msg")` → `msg_01JD4X…` (26 characters after the prefix).
    public static func make(_ prefix: String, now: Date = Date()) -> String {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let (time, random) = state.withLock { state -> (UInt64, (UInt16, UInt64)) in
            if millis <= state.millis {
                // Same (or earlier) millisecond: keep the previous time and increment the random part.
                var (high, low) = state.random
                low &+= 1
                if low == 0 { high &+= 1 }
                state.random = (high, low)
            } else {
                var generator = SystemRandomNumberGenerator()
                state = (millis, (UInt16.random(in: 0...UInt16.max, using: &generator), generator.next()))
            }
            return (state.millis, state.random)
        }
        var chars = [UInt8](repeating: 0, count: 26)
        var t = time
        for i in stride(from: 9, through: 0, by: -1) {
            chars[i] = alphabet[Int(t & 31)]
            t >>= 5
        }
        // 80 random bits: 16 high + 64 low, written as 16 base32 digits.
        var low = random.1
        var high = UInt64(random.0)
        for i in stride(from: 25, through: 10, by: -1) {
            chars[i] = alphabet[Int(low & 31)]
            low = (low >> 5) | ((high & 31) << 59)
            high >>= 5
        }
        return prefix + "_" + String(decoding: chars, as: UTF8.self)
    }

    /// Crockford base32 of arbitrary bytes (no padding), for deterministic ids derived from hashes.
    public static func base32(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Random url-safe text of `count` characters from a 62-letter alphabet, for keys and tokens.
    public static func randomToken(_ count: Int) -> String {
        let letters = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
        var generator = SystemRandomNumberGenerator()
        return String(decoding: (0..<count).map { _ in letters.randomElement(using: &generator)! }, as: UTF8.self)
    }
}
