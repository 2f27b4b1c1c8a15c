import HTTPCore

/// The dashboard at `/` and its two files: open routes serving embedded assets. The page signs in with an API key
/// and does everything else through the public API, like any client.
enum DashboardRoutes {
    static func routes() -> [APIRoute] {
        DashboardAssets.all.map { asset in
            let kind = asset.path == "/" ? "page" : String(asset.path.split(separator: ".").last ?? "")
            return APIRoute(
                "GET", asset.path, id: asset.path == "/" ? "getDashboard" : "getDashboard\(kind.uppercased())", tag: "dashboard",
                summary: asset.path == "/" ? "The operator dashboard (HTML); it signs in with an API key and uses only this API." : "The dashboard's \(kind) file.",
                access: .open,
                responses: [
                    .init(200, "The \(kind).", Schema.string, contentType: String(asset.contentType.prefix { $0 != ";" })),
                    .init(304, "Not modified (If-None-Match).", nil),
                ],
                handler: .inline { request in asset.response(to: request.request) })
        }
    }
}
