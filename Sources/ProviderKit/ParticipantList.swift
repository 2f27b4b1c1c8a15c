import GroupModel

/// The participants of an action as given (DESIGN §5: one result per participant, in the order given; an id
/// that does not parse is that participant's `invalid_id`, not a request error).
public enum ParticipantList {
    /// The ids that parse (and that `accept` takes), and `invalid_id` results for the rest.
    public static func split(_ raw: [String], accepting accept: (UserID) -> Bool = { _ in true }) -> (valid: [UserID], invalid: [ParticipantResult]) {
        var valid: [UserID] = []
        var invalid: [ParticipantResult] = []
        for text in raw {
            if let user = UserID.parse(text), accept(user) { valid.append(user) } else { invalid.append(ParticipantResult(id: text, status: .invalidId)) }
        }
        return (valid, invalid)
    }

    /// `results` in the order the participants were given.
    public static func ordered(_ results: [ParticipantResult], as raw: [String]) -> [ParticipantResult] {
        raw.compactMap { text in
            let id = UserID.parse(text)?.jid ?? text
            return results.first { $0.id == id }
        }
    }
}
