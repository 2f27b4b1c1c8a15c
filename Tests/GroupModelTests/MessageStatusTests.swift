import GroupModel
import XCTest

final class MessageStatusTests: XCTestCase {
    /// Every (current, update) pair and the status it must lead to.
    private let expectations: [(MessageStatus, MessageStatus, MessageStatus)] = [
        (.queued, .queued, .queued), (.queued, .sent, .sent), (.queued, .delivered, .delivered),
        (.queued, .read, .read), (.queued, .played, .played), (.queued, .failed, .failed),

        (.sent, .queued, .sent), (.sent, .sent, .sent), (.sent, .delivered, .delivered),
        (.sent, .read, .read), (.sent, .played, .played), (.sent, .failed, .failed),

        (.delivered, .queued, .delivered), (.delivered, .sent, .delivered), (.delivered, .delivered, .delivered),
        (.delivered, .read, .read), (.delivered, .played, .played), (.delivered, .failed, .delivered),

        (.read, .queued, .read), (.read, .sent, .read), (.read, .delivered, .read),
        (.read, .read, .read), (.read, .played, .played), (.read, .failed, .read),

        (.played, .queued, .played), (.played, .sent, .played), (.played, .delivered, .played),
        (.played, .read, .played), (.played, .played, .played), (.played, .failed, .played),

        (.failed, .queued, .failed), (.failed, .sent, .failed), (.failed, .delivered, .failed),
        (.failed, .read, .failed), (.failed, .played, .failed), (.failed, .failed, .failed),
    ]

    func testAdvancedFollowsTransitionTable() {
        XCTAssertEqual(expectations.count, MessageStatus.allCases.count * MessageStatus.allCases.count)
        for (current, update, expected) in expectations {
            XCTAssertEqual(current.advanced(to: update), expected, "\(current) + \(update)")
        }
    }

    func testLateUpdatesNeverMoveStatusBackwards() {
        let order: [MessageStatus] = [.queued, .sent, .delivered, .read, .played]
        for (i, current) in order.enumerated() {
            for earlier in order[..<i] {
                XCTAssertEqual(current.advanced(to: earlier), current, "\(current) must ignore late \(earlier)")
            }
        }
    }

    func testFailureAfterDeliveryIsIgnored() {
        XCTAssertEqual(MessageStatus.delivered.advanced(to: .failed), .delivered)
        XCTAssertEqual(MessageStatus.sent.advanced(to: .failed), .failed)
    }

    func testOutOfOrderSequenceEndsAtFurthestStatus() {
        let updates: [MessageStatus] = [.read, .sent, .delivered, .failed, .queued]
        let final = updates.reduce(MessageStatus.queued) { $0.advanced(to: $1) }
        XCTAssertEqual(final, .read)
    }

    func testTerminalStatuses() {
        XCTAssertEqual(MessageStatus.allCases.filter(\.isTerminal), [.played, .failed])
    }

    func testMessageTypeMediaFlagAndSendCapability() {
        XCTAssertFalse(MessageType.text.isMedia)
        XCTAssertTrue(MessageType.allCases.filter { $0 != .text }.allSatisfy(\.isMedia))
        XCTAssertEqual(MessageType.allCases.map { Capability.send($0).rawValue }, [
            "messages.text", "messages.image", "messages.video", "messages.audio", "messages.voice", "messages.document",
        ])
    }

    func testCapabilitiesSortInDeclarationOrder() {
        XCTAssertLessThan(Capability.groupsList, Capability.messagesMentions)
        XCTAssertEqual([Capability.messagesText, .groupsGet, .groupsList].sorted(), [.groupsList, .groupsGet, .messagesText])
    }

    func testEventTypeForStatus() {
        XCTAssertNil(EventType.forStatus(.queued))
        XCTAssertEqual(EventType.forStatus(.sent), .messageSent)
        XCTAssertEqual(EventType.forStatus(.failed)?.rawValue, "message.failed")
        XCTAssertEqual(EventType.forStatus(.played)?.rawValue, "message.played")
    }
}
