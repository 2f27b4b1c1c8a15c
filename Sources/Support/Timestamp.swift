import Foundation
import Glibc

/// Fast, allocation-light formatting of the two date forms the gateway writes all the time.
public enum Timestamp {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-21T10:00:00.123Z`.
    public static func iso8601(_ date: Date) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        appendISO8601(date, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The last second formatted (`YYYY-MM-DDTHH:MM:SS`): log lines within one second share it.
    private static let secondCache = LockedValue<(second: Int, prefix: [UInt8])>((Int.min, []))

    /// The times RFC 3339 can write (years 0001 to 9999, in seconds since 1970).
    static let writable = -62_135_596_800.0...253_402_300_799.999

    /// Appends the RFC 3339 form of `date` to `out` without intermediate strings. A time outside the years
    /// 0001–9999 (or NaN) is written as the nearest one inside: such a time can come from a provider's payload,
    /// and must not trap.
    public static func appendISO8601(_ date: Date, into out: inout [UInt8]) {
        let interval = date.timeIntervalSince1970
        let clamped = interval.isNaN ? 0 : min(max(interval, writable.lowerBound), writable.upperBound)
        // Whole milliseconds first: `(x - floor(x)) * 1000` loses the last digit to floating-point error.
        let totalMillis = Int((clamped * 1000).rounded())
        let seconds = Int((Double(totalMillis) / 1000).rounded(.down))
        let millis = totalMillis - seconds * 1000
        let cached = secondCache.withLock { $0.second == seconds ? $0.prefix : nil }
        if let cached {
            out.append(contentsOf: cached)
        } else {
            var raw = time_t(seconds)
            var parts = tm()
            gmtime_r(&raw, &parts)
            var prefix: [UInt8] = []
            appendDigits(Int(parts.tm_year) + 1900, 4, &prefix)
            prefix.append(45)
            appendDigits(Int(parts.tm_mon) + 1, 2, &prefix)
            prefix.append(45)
            appendDigits(Int(parts.tm_mday), 2, &prefix)
            prefix.append(84)
            appendDigits(Int(parts.tm_hour), 2, &prefix)
            prefix.append(58)
            appendDigits(Int(parts.tm_min), 2, &prefix)
            prefix.append(58)
            appendDigits(Int(parts.tm_sec), 2, &prefix)
            secondCache.set((seconds, prefix))
            out.append(contentsOf: prefix)
        }
        out.append(46)
        appendDigits(millis, 3, &out)
        out.append(90)
    }

    private static func appendDigits(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = max(0, value)
        if rest >= divisor * 10 {  // wider than asked (years past 9999): write it all
            out.append(contentsOf: String(rest).utf8)
            return
        }
        while divisor > 0 {
            out.append(UInt8(48 + rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// The IMF-fixdate of RFC 9110 §5.6.7, e.g. `Sat, 21 Nov 2026 10:00:00 GMT`.
    public static func httpDate(_ epochSeconds: Int) -> String {
        var seconds = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return weekdays[Int(parts.tm_wday)] + ", " + pad(Int(parts.tm_mday), 2) + " " + months[Int(parts.tm_mon)] + " "
            + pad(Int(parts.tm_year) + 1900, 4) + " " + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2)
            + ":" + pad(Int(parts.tm_sec), 2) + " GMT"
    }

    /// Parses RFC 3339 / ISO 8601 date-times with or without fractional seconds and with `Z` or an offset.
    public static func parseISO8601(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 19, let year = number(0, 4), bytes[4] == 45, let month = number(5, 2), bytes[7] == 45,
            let day = number(8, 2), bytes[10] == 84 || bytes[10] == 116 || bytes[10] == 32, let hour = number(11, 2),
            bytes[13] == 58, let minute = number(14, 2), bytes[16] == 58, let second = number(17, 2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            if index == start { return nil }
        }
        var offset = 0
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case 90, 122: index += 1
        case 43, 45:
            guard let hours = number(index + 1, 2), bytes.count > index + 3 else { return nil }
            var minutesStart = index + 3
            if bytes[minutesStart] == 58 { minutesStart += 1 }
            guard let minutes = number(minutesStart, 2), hours < 24, minutes < 60 else { return nil }
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == 45 ? -1 : 1)
            index = minutesStart + 2
        default: return nil
        }
        guard index == bytes.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let epoch = timegm(&parts)
        return Date(timeIntervalSince1970: Double(epoch - offset) + fraction)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
