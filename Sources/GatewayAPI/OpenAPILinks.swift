import JSONCore

/// OpenAPI links: which answer supplies the ids another operation takes (a new group's `id` is the `{group}` of
/// the group routes, a sent message's `id` the `{message}` of `getMessage`…). Clients and stateful API testers
/// (schemathesis) follow them. Links to operations this gateway does not serve (no outbound webhooks) are left out.
enum OpenAPILinks {
    struct Link: Sendable {
        let name: String
        let target: String
        let parameters: [(String, String)]
        let body: JSON?

        init(_ name: String, _ target: String, _ parameters: [(String, String)], body: JSON? = nil) {
            self.name = name
            self.target = target
            self.parameters = parameters
            self.body = body
        }
    }

    /// The links of an operation's answers, by status.
    static func links(of operationId: String, status: Int, available: Set<String>) -> JSON? {
        guard let links = table[operationId]?[status] else { return nil }
        var object = JSONObject()
        for link in links where available.contains(link.target) {
            var entry: JSONObject = ["operationId": .string(link.target)]
            if !link.parameters.isEmpty { entry["parameters"] = .object(JSONObject(link.parameters.map { ($0.0, JSON.string($0.1)) })) }
            if let body = link.body { entry["requestBody"] = body }
            object[link.name] = .object(entry)
        }
        return object.isEmpty ? nil : .object(object)
    }

    static let groupOperations = [
        "getGroup", "updateGroup", "deleteGroup", "leaveGroup", "addParticipants", "removeParticipants", "promoteParticipants",
        "demoteParticipants", "getInvite", "revokeInvite", "listJoinRequests", "approveJoinRequests", "rejectJoinRequests",
    ]

    static func forGroup(session: String, group: String) -> [Link] {
        groupOperations.map { Link(String($0.prefix(1)).uppercased() + $0.dropFirst(), $0, [("session", session), ("group", group)]) }
            + [Link("SendMessage", "sendMessage", [("session", session)], body: ["group": .string(group)])]
    }

    static func forSession(_ session: String) -> [Link] {
        [
            Link("GetSession", "getSession", [("session", session)]), Link("ListGroups", "listGroups", [("session", session)]),
            Link("CreateGroup", "createGroup", [("session", session)]), Link("ListMessages", "listMessages", [("session", session)]),
        ]
    }

    static let webhookOperations = ["getWebhook", "updateWebhook", "deleteWebhook", "rotateWebhookSecret", "listWebhookDeliveries", "retryFailedWebhookDeliveries"]

    static let table: [String: [Int: [Link]]] = [
        "listSessions": [200: forSession("$response.body#/data/0/id")],
        "createSession": [201: forSession("$response.body#/id") + [Link("DeleteSession", "deleteSession", [("session", "$response.body#/id")])]],
        "listGroups": [200: forGroup(session: "$request.path.session", group: "$response.body#/data/0/id")],
        "createGroup": [201: forGroup(session: "$request.path.session", group: "$response.body#/id")],
        "getInvite": [200: [Link("JoinGroup", "joinGroup", [("session", "$request.path.session")], body: ["code": "$response.body#/code"])]],
        "revokeInvite": [200: [Link("JoinGroup", "joinGroup", [("session", "$request.path.session")], body: ["code": "$response.body#/code"])]],
        "sendMessage": [
            200: [Link("GetMessage", "getMessage", [("message", "$response.body#/id")])],
            201: [Link("GetMessage", "getMessage", [("message", "$response.body#/id")])],
            202: [Link("GetMessage", "getMessage", [("message", "$response.body#/id")])],
        ],
        "listMessages": [200: [Link("GetMessage", "getMessage", [("message", "$response.body#/data/0/id")])]],
        "createKey": [201: [Link("RevokeKey", "revokeKey", [("key", "$response.body#/id")])]],
        "listProviders": [
            200: [
                Link("GetProviderDrift", "getProviderDrift", [("provider", "$response.body#/data/0/configured/0")]),
                Link("NormalizeWebhook", "normalizeWebhook", [("provider", "$response.body#/data/0/kind")]),
            ]
        ],
        "createWebhook": [
            201: webhookOperations.map { Link(String($0.prefix(1)).uppercased() + $0.dropFirst(), $0, [("id", "$response.body#/id")]) }
        ],
        "listWebhookDeliveries": [
            200: [
                Link("GetWebhookDelivery", "getWebhookDelivery", [("id", "$request.path.id"), ("delivery", "$response.body#/data/0/id")]),
                Link("RetryWebhookDelivery", "retryWebhookDelivery", [("id", "$request.path.id"), ("delivery", "$response.body#/data/0/id")]),
            ]
        ],
    ]
}
