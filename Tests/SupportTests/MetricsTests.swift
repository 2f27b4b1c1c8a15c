import Foundation
import Support
import XCTest

final class MetricsTests: XCTestCase {
    func testRendersCounterFamilyWithHelpTypeAndSeries() {
        let registry = MetricsRegistry()
        let get = registry.counter("http_requests_total", help: "Requests served.", labels: [("method", "GET")])
        let post = registry.counter("http_requests_total", help: "Requests served.", labels: [("method", "POST")])
        get.increment()
        get.increment()
        post.increment(by: 3)
        XCTAssertEqual(
            registry.render(),
            """
            # HELP http_requests_total Requests served.
            # TYPE http_requests_total counter
            http_requests_total{method="GET"} 2
            http_requests_total{method="POST"} 3

            """)
    }

    func testSeriesWithoutLabelsHasNoBraces() {
        let registry = MetricsRegistry()
        registry.counter("jobs_total", help: "Jobs.").increment(by: 7)
        XCTAssertTrue(registry.render().contains("\njobs_total 7\n"))
    }

    func testSameNameAndLabelsReturnsSameSeries() {
        let registry = MetricsRegistry()
        let first = registry.counter("c_total", help: "C.", labels: [("a", "1"), ("b", "2")])
        let second = registry.counter("c_total", help: "C.", labels: [("a", "1"), ("b", "2")])
        XCTAssertTrue(first === second)
        first.increment()
        second.increment()
        XCTAssertEqual(first.value, 2)
        XCTAssertTrue(registry.render().contains(#"c_total{a="1",b="2"} 2"#))
    }

    func testGaugeSetsAndAddsAndRendersFractions() {
        let registry = MetricsRegistry()
        let gauge = registry.gauge("queue_depth", help: "Depth.")
        gauge.set(10)
        gauge.add(-2.5)
        XCTAssertEqual(gauge.value, 7.5)
        let text = registry.render()
        XCTAssertTrue(text.contains("# TYPE queue_depth gauge\n"))
        XCTAssertTrue(text.contains("\nqueue_depth 7.5\n"), text)
    }

    func testGaugeRendersNegativeWholeNumbersWithoutFraction() {
        let registry = MetricsRegistry()
        registry.gauge("offset", help: "O.").set(-4)
        XCTAssertTrue(registry.render().hasSuffix("\noffset -4\n"))
    }

    func testHistogramRendersCumulativeBucketsSumAndCount() {
        let registry = MetricsRegistry()
        let histogram = registry.histogram("latency_seconds", help: "Latency.", labels: [("route", "/x")], buckets: [0.25, 1, 2.5])
        for value in [0.125, 0.25, 0.5, 2.0, 9.0] { histogram.observe(value) }
        XCTAssertEqual(
            registry.render(),
            """
            # HELP latency_seconds Latency.
            # TYPE latency_seconds histogram
            latency_seconds_bucket{route="/x",le="0.25"} 2
            latency_seconds_bucket{route="/x",le="1"} 3
            latency_seconds_bucket{route="/x",le="2.5"} 4
            latency_seconds_bucket{route="/x",le="+Inf"} 5
            latency_seconds_sum{route="/x"} 11.875
            latency_seconds_count{route="/x"} 5

            """)
    }

    func testHistogramWithoutLabels() {
        let registry = MetricsRegistry()
        let histogram = registry.histogram("size_bytes", help: "Sizes.", buckets: [10])
        histogram.observe(4)
        histogram.observe(40)
        let text = registry.render()
        XCTAssertTrue(text.contains("size_bytes_bucket{le=\"10\"} 1\n"), text)
        XCTAssertTrue(text.contains("size_bytes_bucket{le=\"+Inf\"} 2\n"), text)
        XCTAssertTrue(text.contains("size_bytes_sum 44\n"), text)
        XCTAssertTrue(text.contains("size_bytes_count 2\n"), text)
    }

    func testDefaultLatencyBucketsAreRendered() {
        let registry = MetricsRegistry()
        registry.histogram("d_seconds", help: "D.").observe(0.003)
        let text = registry.render()
        XCTAssertTrue(text.contains("d_seconds_bucket{le=\"0.0025\"} 0\n"), text)
        XCTAssertTrue(text.contains("d_seconds_bucket{le=\"0.005\"} 1\n"), text)
        XCTAssertTrue(text.contains("d_seconds_bucket{le=\"10\"} 1\n"), text)
        XCTAssertEqual(text.components(separatedBy: "d_seconds_bucket").count - 1, Histogram.latencyBuckets.count + 1)
    }

    func testEscapesLabelValues() {
        let registry = MetricsRegistry()
        registry.counter("e_total", help: "E.", labels: [("v", "a\"b\\c\nd")]).increment()
        XCTAssertTrue(registry.render().contains(#"e_total{v="a\"b\\c\nd"} 1"#), registry.render())
    }

    func testFamiliesRenderInRegistrationOrder() {
        let registry = MetricsRegistry()
        _ = registry.gauge("zeta", help: "Z.")
        _ = registry.counter("alpha_total", help: "A.")
        let text = registry.render()
        guard let zeta = text.range(of: "# HELP zeta"), let alpha = text.range(of: "# HELP alpha_total") else {
            return XCTFail("both families must render: \(text)")
        }
        XCTAssertLessThan(zeta.lowerBound, alpha.lowerBound)
    }

    func testCollectorsRunBeforeEachRender() {
        let registry = MetricsRegistry()
        let gauge = registry.gauge("refreshed", help: "R.")
        let calls = LockedValue(0)
        registry.addCollector {
            let n = calls.withLock { value -> Int in
                value += 1
                return value
            }
            gauge.set(Double(n * 10))
        }
        XCTAssertTrue(registry.render().contains("\nrefreshed 10\n"))
        XCTAssertTrue(registry.render().contains("\nrefreshed 20\n"))
        XCTAssertEqual(calls.get(), 2)
    }

    func testConcurrentIncrementsAreNotLost() {
        let registry = MetricsRegistry()
        let counter = registry.counter("concurrent_total", help: "C.")
        DispatchQueue.concurrentPerform(iterations: 1000) { _ in counter.increment() }
        XCTAssertEqual(counter.value, 1000)
    }
}
