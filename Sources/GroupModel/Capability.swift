/// Every canonical operation, by its stable name (DESIGN §4). Adapters declare which they support, as data.
public enum Capability: String, Sendable, CaseIterable, Hashable, Comparable {
    case groupsList = "groups.list"
    case groupsGet = "groups.get"
    case groupsCreate = "groups.create"
    case groupsSubject = "groups.subject"
    case groupsDescription = "groups.description"
    case groupsSettings = "groups.settings"
    case groupsLeave = "groups.leave"
    case groupsDelete = "groups.delete"
    case participantsAdd = "participants.add"
    case participantsRemove = "participants.remove"
    case participantsPromote = "participants.promote"
    case participantsDemote = "participants.demote"
    case inviteGet = "invite.get"
    case inviteRevoke = "invite.revoke"
    case groupsJoin = "groups.join"
    case joinRequestsList = "joinRequests.list"
    case joinRequestsApprove = "joinRequests.approve"
    case joinRequestsReject = "joinRequests.reject"
    case messagesText = "messages.text"
    case messagesImage = "messages.image"
    case messagesVideo = "messages.video"
    case messagesAudio = "messages.audio"
    case messagesVoice = "messages.voice"
    case messagesDocument = "messages.document"
    case messagesMentions = "messages.mentions"

    public static func < (lhs: Capability, rhs: Capability) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The send capability for a message type.
    public static func send(_ type: MessageType) -> Capability {
        switch type {
        case .text: .messagesText
        case .image: .messagesImage
        case .video: .messagesVideo
        case .audio: .messagesAudio
        case .voice: .messagesVoice
        case .document: .messagesDocument
        }
    }
}
