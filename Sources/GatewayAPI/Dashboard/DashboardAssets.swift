import Crypto
import HTTPCore
import Support

/// The dashboard's three files, embedded in the binary: no build step, no external assets, nothing read from disk.
/// Each is served with a strong ETag (a revalidation is a 304) and headers that keep the page to its own origin.
enum DashboardAssets {
    struct Asset: Sendable {
        let path: String
        let contentType: String
        let body: [UInt8]
        let etag: String

        init(path: String, contentType: String, text: String) {
            self.path = path
            self.contentType = contentType
            body = Array(text.utf8)
            etag = "\"" + ByteEncoding.hex(Array(Digest.sha256(body).prefix(12))) + "\""
        }

        /// The asset, or 304 when the client's copy is current.
        func response(to request: HTTPRequest) -> HTTPResponse {
            var headers = DashboardAssets.securityHeaders
            headers.set("ETag", etag)
            headers.set("Cache-Control", "no-cache")
            if let match = request.headers["if-none-match"], match.split(separator: ",").contains(where: { String($0).trimmingASCIIWhitespace() == etag || $0.contains("*") }) {
                return HTTPResponse(status: 304, headers: headers)
            }
            headers.set("Content-Type", contentType)
            return HTTPResponse(status: 200, headers: headers, body: body)
        }
    }

    static let all = [
        Asset(path: "/", contentType: "text/html; charset=utf-8", text: page),
        Asset(path: "/dashboard/app.css", contentType: "text/css; charset=utf-8", text: style),
        Asset(path: "/dashboard/app.js", contentType: "text/javascript; charset=utf-8", text: script),
    ]

    /// Scripts, styles and connections from this origin only (no inline code, no third parties), never framed.
    static let securityHeaders: HTTPHeaders = [
        "Content-Security-Policy":
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    ]
}
