/// Reading the Prometheus text of `/metrics` in tests.
public enum MetricsText {
    /// The value on the line of `series` (its name, and its labels if it has any, exactly as exported), or nil when
    /// the text has no such line.
    public static func value(_ series: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }
}
