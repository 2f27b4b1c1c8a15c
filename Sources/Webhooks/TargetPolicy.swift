import Foundation
import Glibc
import GroupModel
import JSONCore

/// Where outbound webhooks may go. A target URL must be `http(s)` with a host and no credentials; unless private
/// targets are allowed, every address its host resolves to must be public — not loopback, private (RFC 1918, ULA),
/// link-local, CGNAT, multicast, unspecified, documentation or reserved — checked when the subscription is
/// saved and again before every attempt, and the attempt connects to the address that was checked.
public struct TargetPolicy: Sendable {
    public let allowPrivate: Bool
    /// Resolves a host to its addresses (injected by tests).
    let resolver: @Sendable (String) -> [String]

    public init(allowPrivate: Bool, resolver: @escaping @Sendable (String) -> [String] = TargetPolicy.systemResolve) {
        self.allowPrivate = allowPrivate
        self.resolver = resolver
    }

    /// A checked target: the URL, and the address to connect to (nil when private targets are allowed and the
    /// system resolver may pick).
    public struct Target: Sendable {
        public let url: URL
        public let address: String?
    }

    /// Checks the URL's form only (no DNS).
    public static func validateForm(_ text: String) throws(GatewayError) -> URL {
        func refuse(_ reason: String) -> GatewayError {
            GatewayError.invalidRequest("Webhook URL refused: \(reason).", details: ["field": "url"])
        }
        guard text.utf8.count <= 2048 else { throw refuse("longer than 2048 characters") }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { throw refuse("not an absolute URL") }
        guard scheme == "http" || scheme == "https" else { throw refuse("the scheme must be http or https") }
        guard let host = url.host, !host.isEmpty else { throw refuse("it has no host") }
        guard url.user == nil && url.password == nil else { throw refuse("credentials in the URL are not allowed; verify the signature instead") }
        guard url.fragment == nil else { throw refuse("fragments are not sent over HTTP") }
        return url
    }

    /// Checks form and addresses; throws `invalid_request` saying which address is refused and why.
    public func check(_ text: String) throws(GatewayError) -> Target {
        let url = try Self.validateForm(text)
        let host = url.host!.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if allowPrivate { return Target(url: url, address: nil) }
        let addresses = IPAddress(host).map { [$0.text] } ?? resolver(host)
        guard !addresses.isEmpty else {
            throw GatewayError.invalidRequest("Webhook URL refused: '\(host)' does not resolve.", details: ["field": "url", "reason": "dns_failure"])
        }
        for text in addresses {
            guard let address = IPAddress(text) else { continue }
            if let range = address.nonPublicRange {
                throw GatewayError.invalidRequest(
                    "Webhook URL refused: '\(host)' resolves to \(text), a \(range) address. Set \"webhooks\": {\"allowPrivateTargets\": true} to allow it.",
                    details: ["field": "url", "reason": "private_address", "address": .string(text), "range": .string(range)])
            }
        }
        return Target(url: url, address: addresses[0])
    }

    /// `getaddrinfo` answers (IPv4 and IPv6), deduplicated in order.
    public static let systemResolve: @Sendable (String) -> [String] = { host in
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var out: [String] = []
        var node = list
        while let entry = node?.pointee {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            if entry.ai_family == AF_INET, let raw = entry.ai_addr {
                var address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
            } else if entry.ai_family == AF_INET6, let raw = entry.ai_addr {
                var address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
            }
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !text.isEmpty && !out.contains(text) { out.append(text) }
            node = entry.ai_next
        }
        return out
    }
}

/// An IPv4 or IPv6 address as bytes, classified.
struct IPAddress {
    let bytes: [UInt8]
    let text: String

    init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
        self.text = text
    }

    /// The name of the non-public range this address is in, or nil for a public address.
    var nonPublicRange: String? {
        if bytes.count == 4 { return Self.v4Range(bytes) }
        // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), 6to4 and NAT64 forms carry an IPv4 address.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Self.v4Range(Array(bytes[12...])) }
        if bytes.allSatisfy({ $0 == 0 }) { return "unspecified" }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return "loopback" }
        if bytes[0..<12].allSatisfy({ $0 == 0 }) { return Self.v4Range(Array(bytes[12...])) ?? "IPv4-compatible" }  // ::a.b.c.d (deprecated)
        if bytes[0] == 0x20 && bytes[1] == 0x02 { return Self.v4Range(Array(bytes[2..<6])) }  // 6to4 carries an IPv4 address
        if bytes[0] & 0xFE == 0xFC { return "private (unique local)" }
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return "link-local" }
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0xC0 { return "site-local" }
        if bytes[0] == 0xFF { return "multicast" }
        if bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0D && bytes[3] == 0xB8 { return "documentation" }
        if bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xFF && bytes[3] == 0x9B { return Self.v4Range(Array(bytes[12...])) }  // NAT64
        return nil
    }

    private static func v4Range(_ b: [UInt8]) -> String? {
        switch (b[0], b[1]) {
        case (0, _): return "unspecified"
        case (10, _): return "private"
        case (100, 64...127): return "shared (CGNAT)"
        case (127, _): return "loopback"
        case (169, 254): return "link-local"
        case (172, 16...31): return "private"
        case (192, 168): return "private"
        case (192, 0) where b[2] == 0: return "IETF protocol assignments"
        case (192, 0) where b[2] == 2: return "documentation"
        case (198, 18...19): return "benchmarking"
        case (198, 51) where b[2] == 100: return "documentation"
        case (203, 0) where b[2] == 113: return "documentation"
        case (224...239, _): return "multicast"
        case (240...255, _): return "reserved"
        default: return nil
        }
    }
}
