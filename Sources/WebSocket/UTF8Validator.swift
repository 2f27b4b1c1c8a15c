/// Incremental UTF-8 validation (RFC 3629): fed a message in pieces, it fails at the first byte that cannot be
/// part of valid UTF-8 — overlong forms, surrogates, code points above U+10FFFF — without waiting for the end.
public struct UTF8Validator: Sendable {
    /// Continuation bytes still expected in the current sequence.
    private var remaining = 0
    /// The range the next continuation byte must fall in (narrower after E0, ED, F0 and F4).
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    public init() {}

    /// Whether everything fed so far can begin valid UTF-8.
    public mutating func feed(_ bytes: [UInt8]) -> Bool {
        for byte in bytes {
            if remaining > 0 {
                guard byte >= lower && byte <= upper else { return false }
                remaining -= 1
                lower = 0x80
                upper = 0xBF
                continue
            }
            switch byte {
            case 0x00...0x7F: continue
            case 0xC2...0xDF: remaining = 1
            case 0xE0: remaining = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: remaining = 2
            case 0xED: remaining = 2; upper = 0x9F
            case 0xF0: remaining = 3; lower = 0x90
            case 0xF1...0xF3: remaining = 3
            case 0xF4: remaining = 3; upper = 0x8F
            default: return false
            }
        }
        return true
    }

    /// Whether the bytes fed so far end on a character boundary.
    public var isComplete: Bool { remaining == 0 }
}
