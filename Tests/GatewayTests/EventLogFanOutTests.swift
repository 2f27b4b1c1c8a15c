import Foundation
import GatewayCore
import GroupModel
import JSONCore
import ProviderKit
import Storage
import Support
import TestSupport
import XCTest

/// The event log against a model: a mix of single events and fan-outs (one row listing its recipients, or one row
/// per recipient without a group), read back by every path — pages of any size, per-session and type filters,
/// the recent-history cursor, lookups by position — must give exactly what was appended, in order, each position
/// once.
final class EventLogFanOutTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var database: Database!
    private var log: EventLog!
    /// What was appended, in order: the log's positions must be 1…count in this order.
    private var model: [(session: String, type: String, id: String, message: String)] = []
    private let sessions = ["a", "b", "c", "d", "e"]
    private let now = Date(timeIntervalSince1970: 1_790_000_000)

    override func setUpWithError() throws {
        directory = TemporaryDirectory(prefix: "switchboard-eventlog-test")
        database = try Database(path: directory.file("log.db"), migrations: GatewaySchema.migrations, logger: .discard)
        log = EventLog(database: database)
        try log.register(sessions: Array(sessions.dropLast()))  // "e" gets its key inside a write, uncached
    }

    override func tearDown() {
        database?.close()
        directory?.remove()
    }

    private func event(_ type: EventType, session: String, group: String?, id: String, message: String) -> GatewayEvent {
        GatewayEvent(id: id, type: type, occurredAt: now, receivedAt: now, session: session, provider: "native", group: group, data: ["id": .string(message)])
    }

    private func single(_ session: String, _ type: EventType, group: String? = nil) throws {
        let id = "evt_\(model.count)"
        let event = event(type, session: session, group: group, id: id, message: "m\(model.count)")
        try database.writeSync { db in _ = try self.log.append([event], in: db) }
        model.append((session, type.rawValue, id, "m\(model.count)"))
    }

    private func fanOut(_ recipients: [String], _ type: EventType, group: String?) throws {
        let identity = "op\(model.count)"
        let message = "m\(model.count)"
        let template = event(type, session: "", group: group, id: "", message: message)
        try database.writeSync { db in try self.log.appendFanOut(template, identity: identity, to: recipients, in: db) }
        for session in recipients { model.append((session, type.rawValue, EventID.sortable(identity: identity, session: session, type: type), message)) }
    }

    /// A deterministic mix of single events and fan-outs in two groups and none.
    private func fill() throws {
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let types: [EventType] = [.messageReceived, .groupUpdated, .messageSent]
        for _ in 0..<80 {
            let type = types[next(types.count)]
            let group = [nil, "g1@g.us", "g2@g.us"][next(3)]
            if next(3) == 0 {
                try single(sessions[next(sessions.count)], type, group: group)
            } else {
                let recipients = sessions.filter { _ in next(2) == 0 }
                let turn = next(sessions.count)  // recipients in any order, not the sessions' order
                guard !recipients.isEmpty else { continue }
                let split = turn % recipients.count
                let rotated: [String] = Array(recipients[split...]) + Array(recipients[..<split])
                try fanOut(rotated, type, group: group)
            }
        }
    }

    private func walk(limit: Int, sessions: [String]? = nil, types: [String]? = nil) throws -> [EventLog.Entry] {
        var seen: [EventLog.Entry] = []
        var cursor: Int64 = 0
        while true {
            let page = try log.page(after: cursor, sessions: sessions, types: types, limit: limit)
            XCTAssertLessThanOrEqual(page.count, limit)
            seen += page
            guard let last = page.last, page.count == limit else { return seen }
            guard last.seq > cursor else {
                XCTFail("the cursor did not move past \(cursor)")
                return seen
            }
            cursor = last.seq
        }
    }

    private func expected(sessions: [String]? = nil, types: [String]? = nil) -> [String] {
        model.enumerated()
            .filter { sessions?.contains($0.element.session) ?? true && types?.contains($0.element.type) ?? true }
            .map { "\($0.offset + 1) \($0.element.session) \($0.element.type) \($0.element.id)" }
    }

    private func described(_ entries: [EventLog.Entry]) -> [String] {
        entries.map { "\($0.seq) \($0.event.session) \($0.event.type.rawValue) \($0.event.id)" }
    }

    func testEveryReadGivesWhatWasAppendedInOrder() throws {
        try fill()
        XCTAssertGreaterThan(model.count, 150)
        XCTAssertEqual(try log.lastSeq(), Int64(model.count), "a fan-out takes one position per recipient")
        for limit in [1, 2, 3, 7, 1000] {
            XCTAssertEqual(described(try walk(limit: limit)), expected(), "every session, pages of \(limit)")
            for session in sessions.dropLast() {
                XCTAssertEqual(described(try walk(limit: limit, sessions: [session])), expected(sessions: [session]), "\(session), pages of \(limit)")
            }
            XCTAssertEqual(described(try walk(limit: limit, sessions: ["b", "d"])), expected(sessions: ["b", "d"]), "b and d, pages of \(limit)")
            let types = ["message.received", "group.updated"]
            XCTAssertEqual(described(try walk(limit: limit, sessions: ["c"], types: types)), expected(sessions: ["c"], types: types))
            XCTAssertEqual(described(try walk(limit: limit, types: ["message.sent"])), expected(types: ["message.sent"]))
        }
    }

    func testPagesWithoutDataAreTheSameEntriesWithNullData() throws {
        try fill()
        let full = try log.page(after: 0, sessions: nil, types: nil, limit: 1000)
        let bare = try log.page(after: 0, sessions: nil, types: nil, limit: 1000, withData: false)
        XCTAssertEqual(described(bare), expected())
        XCTAssertEqual(described(bare), described(full))
        XCTAssertEqual(Set(bare.map(\.event.data)), [.null])
        XCTAssertEqual(full.map { $0.event.data["id"]?.stringValue }, model.map(\.message))
        let filtered = try log.page(after: 0, sessions: ["c"], types: ["group.updated"], limit: 1000, withData: false)
        XCTAssertEqual(described(filtered), expected(sessions: ["c"], types: ["group.updated"]))
    }

    func testRecentHistoryCursorAndLookupsByPosition() throws {
        try fill()
        for count in [0, 1, 5, 40] {
            let cursor = try log.cursor(beforeLast: count, sessions: ["a"], types: nil)
            XCTAssertEqual(described(try log.page(after: cursor, sessions: ["a"], types: nil, limit: 1000)), Array(expected(sessions: ["a"]).suffix(count)))
            let everyone = try log.cursor(beforeLast: count, sessions: nil, types: nil)
            XCTAssertEqual(everyone, Int64(model.count - count))
        }
        XCTAssertEqual(try log.cursor(beforeLast: 10_000, sessions: nil, types: nil), 0)

        let positions = Array(1...Int64(model.count)) + [Int64(model.count + 1)]
        let found = try log.entries(seqs: positions.shuffled())
        XCTAssertEqual(described(found.values.sorted { $0.seq < $1.seq }), expected(), "every position, none past the end")
    }

    func testReceivedMessagesAreTheSessionsMessageReceivedEventsUpToThePosition() throws {
        try fill()
        let received = model.enumerated().filter { $0.element.session == "b" && $0.element.type == "message.received" }
        let through = Int64(received[received.count / 2].offset + 1)
        let listed = try database.writeSync { db in try self.log.receivedMessages(session: "b", after: 3, through: through, limit: 1000, in: db) }
        XCTAssertEqual(
            listed.map { "\($0.seq) \($0.id)" },
            received.filter { $0.offset + 1 > 3 && $0.offset + 1 <= through }.map { "\($0.offset + 1) \($0.element.message)" })
        XCTAssertGreaterThan(listed.count, 3)
    }

    func testRolledBackFanOutLeavesNoTraceAndTheNextOneIsFound() throws {
        try single("a", .messageSent)
        struct Refused: Error {}
        let template = event(.messageReceived, session: "", group: "g9@g.us", id: "", message: "gone")
        XCTAssertThrowsError(
            try database.writeSync { db in
                try self.log.appendFanOut(template, identity: "gone", to: ["e", "b"], in: db)
                throw Refused()
            })
        XCTAssertEqual(try log.lastSeq(), 1)
        try fanOut(["e", "c"], .messageReceived, group: "g9@g.us")
        try log.register(sessions: ["e"])
        XCTAssertEqual(described(try walk(limit: 10)), expected())
        XCTAssertEqual(described(try walk(limit: 10, sessions: ["e"])), expected(sessions: ["e"]))
        XCTAssertEqual(described(try walk(limit: 10, sessions: ["b"])), [], "b was only in the rolled-back fan-out")
    }
}
