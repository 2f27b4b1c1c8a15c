import Foundation
import GatewayCore
import GroupModel
import HTTPCore
import JSONCore
import ProviderKit
import Support

/// Every group operation of DESIGN §5, on any session whose provider supports it.
enum GroupRoutes {
    static let base = "/v1/sessions/{session}/groups"

    static func routes(_ env: APIEnvironment) -> [APIRoute] {
        let groups = env.groups
        /// Runs a provider operation for the route's session.
        @Sendable func run(_ request: APIRequest, _ operation: ProviderOperation) async throws -> OperationResult {
            try await groups.perform(operation, session: request.parameter("session"), for: request.caller)
        }
        @Sendable func groupID(_ request: APIRequest) throws -> String {
            let id = request.parameter("group")
            try Identifiers.validateGroupID(id)
            return id
        }
        @Sendable func participants(_ action: ParticipantAction) -> APIRoute {
            APIRoute(
                "POST", "\(base)/{group}/participants/\(action.rawValue)", id: "\(action.rawValue)Participants", tag: "groups",
                summary: "\(action.rawValue.capitalized) participants: one result per participant.",
                body: Schema.ref("Participants"), responses: [.init(200, "Per-participant results.", Schema.ref("ParticipantResults"))] + APIRoute.Response.providerErrors,
                headers: [Idempotency.header],
                handler: .async { request in
                    let body = try ParticipantsRequest(json: try request.json())
                    return .json(try results(try await run(request, .participants(group: try groupID(request), action, body.participants))))
                })
        }
        @Sendable func decide(_ approve: Bool) -> APIRoute {
            APIRoute(
                "POST", "\(base)/{group}/join-requests/\(approve ? "approve" : "reject")", id: approve ? "approveJoinRequests" : "rejectJoinRequests",
                tag: "groups", summary: approve ? "Approve join requests." : "Reject join requests.",
                body: Schema.ref("Participants"), responses: [.init(200, "Per-requester results.", Schema.ref("ParticipantResults"))] + APIRoute.Response.providerErrors,
                headers: [Idempotency.header],
                handler: .async { request in
                    let body = try ParticipantsRequest(json: try request.json())
                    return .json(try results(try await run(request, .decideJoinRequests(group: try groupID(request), approve: approve, body.participants))))
                })
        }
        return [
            APIRoute(
                "GET", base, id: "listGroups", tag: "groups", summary: "The session's groups; ?name= matches case-insensitively.",
                query: [.init("name", Schema.string(min: 1, max: Limits.groupName), "Only groups with this name (case-insensitive).")],
                responses: [.init(200, "The groups.", Schema.ref("GroupList"))] + APIRoute.Response.providerErrors,
                handler: .async { request in
                    let name = request.query("name")
                    let list = try await groups.list(session: request.parameter("session"), name: name, for: request.caller)
                    let asOf = list.map(\.asOf).min() ?? env.clock.now()
                    return .json(["data": .array(list.map(\.json)), "next": .null, "asOf": .string(Timestamp.iso8601(asOf))])
                }),
            APIRoute(
                "POST", base, id: "createGroup", tag: "groups", summary: "Create a group; the session becomes its superadmin.",
                body: Schema.ref("CreateGroup"), responses: [.init(201, "The new group.", Schema.ref("Group"))] + APIRoute.Response.providerErrors, headers: [Idempotency.header],
                handler: .async { request in
                    let body = try CreateGroupRequest(json: try request.json())
                    return .json(try group(try await run(request, .createGroup(body))).json, status: 201)
                }),
            APIRoute(
                "POST", "\(base)/join", id: "joinGroup", tag: "groups", summary: "Join by invite code or https://chat.whatsapp.com/ link.",
                body: Schema.ref("Join"), responses: [.init(200, "Joined, or a join request was made.", Schema.ref("JoinResult"))] + APIRoute.Response.providerErrors,
                headers: [Idempotency.header],
                handler: .async { request in
                    let body = try JoinRequestBody(json: try request.json())
                    guard case .joined(let id, let status) = try await run(request, .join(code: body.code)) else { throw unexpected() }
                    return .json(["group": .string(id), "status": .string(status.rawValue)])
                }),
            APIRoute(
                "GET", "\(base)/{group}", id: "getGroup", tag: "groups", summary: "A group with its participants and settings.",
                responses: [.init(200, "The group.", Schema.ref("Group"))] + APIRoute.Response.providerErrors,
                handler: .fast(
                    { request in
                        try groups.cachedGroup(try groupID(request), session: request.parameter("session"), for: request.caller).map { .json($0.json) }
                    },
                    slow: { request in .json(try group(try await run(request, .getGroup(group: try groupID(request)))).json) })),
            APIRoute(
                "PATCH", "\(base)/{group}", id: "updateGroup", tag: "groups", summary: "Change name, description (null clears it) or settings.",
                body: Schema.ref("UpdateGroup"), responses: [.init(200, "The group after the change.", Schema.ref("Group"))] + APIRoute.Response.providerErrors,
                handler: .async { request in
                    let patch = try GroupPatch(json: try request.json())
                    return .json(try group(try await run(request, .updateGroup(group: try groupID(request), patch))).json)
                }),
            APIRoute(
                "DELETE", "\(base)/{group}", id: "deleteGroup", tag: "groups", summary: "Delete the group for everyone.",
                responses: [.init(204, "Deleted.", nil)] + APIRoute.Response.providerErrors,
                handler: .async { request in
                    _ = try await run(request, .deleteGroup(group: try groupID(request)))
                    return HTTPResponse(status: 204)
                }),
            APIRoute(
                "POST", "\(base)/{group}/leave", id: "leaveGroup", tag: "groups", summary: "Leave the group.",
                responses: [.init(204, "Left.", nil)] + APIRoute.Response.providerErrors,
                handler: .async { request in
                    _ = try await run(request, .leaveGroup(group: try groupID(request)))
                    return HTTPResponse(status: 204)
                }),
            participants(.add), participants(.remove), participants(.promote), participants(.demote),
            APIRoute(
                "GET", "\(base)/{group}/invite", id: "getInvite", tag: "groups", summary: "The invite code and link (admins).",
                responses: [.init(200, "The invite.", Schema.ref("Invite"))] + APIRoute.Response.providerErrors,
                handler: .async { request in .json(try invite(try await run(request, .getInvite(group: try groupID(request)))).json) }),
            APIRoute(
                "POST", "\(base)/{group}/invite/revoke", id: "revokeInvite", tag: "groups", summary: "Revoke the invite; answers the new one.",
                responses: [.init(200, "The new invite.", Schema.ref("Invite"))] + APIRoute.Response.providerErrors,
                handler: .async { request in .json(try invite(try await run(request, .revokeInvite(group: try groupID(request)))).json) }),
            APIRoute(
                "GET", "\(base)/{group}/join-requests", id: "listJoinRequests", tag: "groups", summary: "Pending requests to join (admins).",
                responses: [.init(200, "The requests.", Schema.ref("JoinRequestList"))] + APIRoute.Response.providerErrors,
                handler: .async { request in
                    guard case .joinRequests(let list) = try await run(request, .listJoinRequests(group: try groupID(request))) else { throw unexpected() }
                    return .json(["data": .array(list.map(\.json)), "next": .null])
                }),
            decide(true), decide(false),
        ]
    }

    static func group(_ result: OperationResult) throws -> Group {
        guard case .group(let group) = result else { throw unexpected() }
        return group
    }

    static func invite(_ result: OperationResult) throws -> Invite {
        guard case .invite(let invite) = result else { throw unexpected() }
        return invite
    }

    static func results(_ result: OperationResult) throws -> JSON {
        guard case .participants(let results) = result else { throw unexpected() }
        return ParticipantResult.json(results)
    }

    static func unexpected() -> GatewayError { .internal("The provider answered with an unexpected result.") }
}
