import GatewayCore
import HTTPCore
import JSONCore
import ProviderKit

/// `GET /v1/providers`: every provider kind and its capability matrix.
enum ProviderRoutes {
    static func routes(_ env: APIEnvironment) -> [APIRoute] {
        [
            APIRoute(
                "GET", "/v1/providers", id: "listProviders", tag: "providers", summary: "Provider kinds and their capability matrix.",
                responses: [.init(200, "The providers.", Schema.ref("ProviderList"))],
                handler: .inline { _ in
                    let entries = env.sessions.providerEntries
                    let data: [JSON] = env.providerKinds.map { descriptor in
                        var object = descriptor.json.objectValue!
                        object["configured"] = .array(entries.filter { $0.kind == descriptor.kind }.map { .string($0.name) })
                        return .object(object)
                    }
                    return .json(["data": .array(data), "next": .null])
                }),
        ]
    }
}
