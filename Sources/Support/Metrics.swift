import Foundation

/// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text format
/// (https://prometheus.io/docs/instrumenting/exposition_formats/). Hot paths keep the returned handles.
public final class MetricsRegistry: @unchecked Sendable {
    private struct Family {
        let name: String
        let help: String
        let type: String
        var series: [String: AnyObject] = [:]  // rendered label set → Counter/Gauge/Histogram
        var order: [String] = []
    }

    private let lock = Lock()
    private var families: [String: Family] = [:]
    private var familyOrder: [String] = []
    private var collectors: [@Sendable () -> Void] = []

    public init() {}

    public func counter(_ name: String, help: String, labels: [(String, String)] = []) -> Counter {
        series(name, help: help, type: "counter", labels: labels) { Counter() }
    }

    public func gauge(_ name: String, help: String, labels: [(String, String)] = []) -> Gauge {
        series(name, help: help, type: "gauge", labels: labels) { Gauge() }
    }

    public func histogram(
        _ name: String, help: String, labels: [(String, String)] = [], buckets: [Double] = Histogram.latencyBuckets
    ) -> Histogram {
        series(name, help: help, type: "histogram", labels: labels) { Histogram(buckets: buckets) }
    }

    /// Registers a closure run just before each render, to refresh gauges computed on demand (queue depths).
    public func addCollector(_ collector: @escaping @Sendable () -> Void) {
        lock.withLock { collectors.append(collector) }
    }

    private func series<T: AnyObject>(
        _ name: String, help: String, type: String, labels: [(String, String)], make: () -> T
    ) -> T {
        let key = MetricsRegistry.renderLabels(labels)
        return lock.withLock {
            if families[name] == nil {
                families[name] = Family(name: name, help: help, type: type)
                familyOrder.append(name)
            }
            if let existing = families[name]!.series[key] {
                guard let typed = existing as? T else { preconditionFailure("metric \(name) registered twice with different types") }
                return typed
            }
            let created = make()
            families[name]!.series[key] = created
            families[name]!.order.append(key)
            return created
        }
    }

    /// The whole registry in the Prometheus text exposition format.
    public func render() -> String {
        let pending = lock.withLock { collectors }
        for collect in pending { collect() }
        let snapshot = lock.withLock { familyOrder.map { families[$0]! } }
        var out = ""
        for family in snapshot {
            out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
            for key in family.order {
                switch family.series[key] {
                case let counter as Counter: out += "\(family.name)\(key) \(format(counter.value))\n"
                case let gauge as Gauge: out += "\(family.name)\(key) \(format(gauge.value))\n"
                case let histogram as Histogram: out += histogram.render(name: family.name, labels: key)
                default: break
                }
            }
        }
        return out
    }

    /// A label value as the exposition format quotes it (backslash, double quote and newline escaped). Looked up
    /// on every request that counts something, so a value with nothing to escape is returned as it is.
    static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) else { return value }
        var escaped = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    static func renderLabels(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        let parts = labels.map { name, value in "\(name)=\"\(escape(value))\"" }
        return "{" + parts.joined(separator: ",") + "}"
    }
}

func format(_ value: Double) -> String {
    if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
}

/// A monotonically increasing count.
public final class Counter: @unchecked Sendable {
    private let lock = Lock()
    private var current: Double = 0
    public func increment(by amount: Double = 1) { lock.withLock { current += amount } }
    public var value: Double { lock.withLock { current } }
}

/// A value that goes up and down.
public final class Gauge: @unchecked Sendable {
    private let lock = Lock()
    private var current: Double = 0
    public func set(_ value: Double) { lock.withLock { current = value } }
    public func add(_ amount: Double) { lock.withLock { current += amount } }
    public var value: Double { lock.withLock { current } }
}

/// Observations counted into cumulative buckets.
public final class Histogram: @unchecked Sendable {
    /// Seconds, from 0.5 ms to 10 s: request latencies.
    public static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private let lock = Lock()
    private let buckets: [Double]
    private var counts: [UInt64]
    private var sum: Double = 0
    private var count: UInt64 = 0

    init(buckets: [Double]) {
        self.buckets = buckets
        counts = [UInt64](repeating: 0, count: buckets.count)
    }

    public func observe(_ value: Double) {
        lock.withLock {
            if let index = buckets.firstIndex(where: { value <= $0 }) { counts[index] += 1 }
            sum += value
            count += 1
        }
    }

    func render(name: String, labels: String) -> String {
        let (counts, sum, count) = lock.withLock { (self.counts, self.sum, self.count) }
        let prefix = labels.isEmpty ? "{" : String(labels.dropLast()) + ","
        var out = ""
        var cumulative: UInt64 = 0
        for (bound, n) in zip(buckets, counts) {
            cumulative += n
            out += "\(name)_bucket\(prefix)le=\"\(format(bound))\"} \(cumulative)\n"
        }
        out += "\(name)_bucket\(prefix)le=\"+Inf\"} \(count)\n"
        out += "\(name)_sum\(labels) \(format(sum))\n\(name)_count\(labels) \(count)\n"
        return out
    }
}
