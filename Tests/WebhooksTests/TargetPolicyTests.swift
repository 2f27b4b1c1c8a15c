import GroupModel
import JSONCore
import XCTest

@testable import Webhooks

final class TargetPolicyTests: XCTestCase {
    private func refusal(_ url: String, resolver: @escaping @Sendable (String) -> [String] = { _ in ["93.184.216.34"] }) -> GatewayError? {
        do {
            _ = try TargetPolicy(allowPrivate: false, resolver: resolver).check(url)
            return nil
        } catch {
            return error
        }
    }

    func testLiteralNonPublicAddressesAreRefusedWithTheirRange() {
        let cases: [(String, String)] = [
            ("http://127.0.0.1:8080/hook", "loopback"), ("http://10.1.2.3/", "private"), ("http://172.20.0.5/", "private"),
            ("http://192.168.1.1/", "private"), ("http://169.254.169.254/latest/meta-data", "link-local"), ("http://0.0.0.0/", "unspecified"),
            ("http://100.64.0.1/", "shared (CGNAT)"), ("http://[::1]/", "loopback"), ("http://[fd00::1]/", "private (unique local)"),
            ("http://[fe80::1]/", "link-local"), ("http://[::ffff:127.0.0.1]/", "loopback"), ("http://224.0.0.1/", "multicast"),
            ("http://[::127.0.0.1]/", "loopback"), ("http://[2002:a00:1::1]/", "private"), ("http://[64:ff9b::a9fe:a9fe]/", "link-local"),
        ]
        for (url, range) in cases {
            let error = refusal(url)
            XCTAssertEqual(error?.code, "invalid_request", url)
            XCTAssertEqual(error?.details?["range"]?.stringValue, range, url)
        }
    }

    func testDNSAnswersAreCheckedAndTheCheckedAddressIsPinned() throws {
        // A public name whose DNS answer (or one of them) is private: refused.
        let error = refusal("https://hooks.example.com/x", resolver: { _ in ["93.184.216.34", "10.0.0.7"] })
        XCTAssertEqual(error?.details?["address"]?.stringValue, "10.0.0.7")
        XCTAssertEqual(refusal("https://nowhere.invalid/x", resolver: { _ in [] })?.details?["reason"]?.stringValue, "dns_failure")
        let target = try TargetPolicy(allowPrivate: false, resolver: { _ in ["93.184.216.34"] }).check("https://hooks.example.com/x")
        XCTAssertEqual(target.address, "93.184.216.34")
    }

    func testPublicAddressesPassAndAllowPrivateLetsLoopbackThrough() throws {
        XCTAssertNil(refusal("https://93.184.216.34/hook"))
        XCTAssertNil(refusal("http://[2606:4700::1111]/hook"))
        let target = try TargetPolicy(allowPrivate: true, resolver: { _ in XCTFail("no DNS when private targets are allowed"); return [] })
            .check("http://127.0.0.1:9/hook")
        XCTAssertNil(target.address)
    }

    func testMalformedURLsAreRefused() {
        for url in ["ftp://example.com/x", "example.com/hook", "https://user:pass@example.com/x", "http:///nohost", "https://example.com/#frag"] {
            XCTAssertEqual(refusal(url)?.code, "invalid_request", url)
        }
    }
}
