import ContractKit
import Foundation
import GroupModel
import JSONCore
import ProviderKit
import Support
import Switchboard
import TestSupport
import XCTest

/// Every fixture in Contract/Fixtures, replayed through the real adapters; and the meta-test that every declared
/// capability is proven by a passing fixture and every undeclared one by an `unsupported` fixture.
final class ContractSuiteTests: XCTestCase {
    static let fixtures = Script.repositoryRoot + "/Contract/Fixtures"

    /// All results, computed once for the class.
    static let results: [ContractRunner.CaseResult] = (try? runBlocking { await ContractSuite.runner().run(directory: fixtures) }) ?? []

    private func assertAllPass(_ provider: String, file: StaticString = #filePath, line: UInt = #line) {
        let mine = Self.results.filter { $0.provider == provider }
        XCTAssertFalse(mine.isEmpty, "no \(provider) fixtures", file: file, line: line)
        let failures = mine.filter { !$0.passed }
        XCTAssertTrue(failures.isEmpty, ContractRunner.report(failures), file: file, line: line)
    }

    func testWAHAFixturesPass() { assertAllPass("waha") }
    func testWaxumFixturesPass() { assertAllPass("waxum") }
    func testWalyticFixturesPass() { assertAllPass("walytic") }
    func testTalkNTalkFixturesPass() { assertAllPass("talkntalk") }
    func testA1BaseFixturesPass() { assertAllPass("a1base") }
    func testNativeFixturesPass() { assertAllPass("native") }

    func testNoUnreadableOrUnknownFixtures() {
        let strays = Self.results.filter { $0.fixture == nil || !["waha", "waxum", "native", "walytic", "talkntalk", "a1base"].contains($0.provider) }
        XCTAssertTrue(strays.isEmpty, ContractRunner.report(strays))
    }

    func testEveryDeclaredCapabilityHasAPassingFixtureAndEveryOtherAnUnsupportedOne() {
        XCTAssertEqual(ProviderCatalog.descriptors.count, 6, "the five adapters plus native")
        for descriptor in ProviderCatalog.descriptors {
            let passing = Self.results.filter { $0.provider == descriptor.kind && $0.passed }
            var proven = Set<String>()
            var refused = Set<String>()
            for result in passing {
                guard let fixture = result.fixture, case .operation(let operation) = fixture.kind else { continue }
                switch operation.expect {
                case .result: proven.insert(operation.name)
                case .unsupported: refused.insert(operation.name)
                case .error: break
                }
            }
            for capability in Capability.allCases {
                if descriptor.supports(capability) {
                    XCTAssertTrue(proven.contains(capability.rawValue), "\(descriptor.kind) declares \(capability.rawValue) but no passing fixture shows it working")
                } else {
                    XCTAssertTrue(refused.contains(capability.rawValue), "\(descriptor.kind) lacks \(capability.rawValue) but no fixture shows it refused as unsupported")
                }
            }
        }
    }

    func testEveryFixtureCitesASourceAndARecordingDate() {
        for result in Self.results {
            guard let fixture = result.fixture else { continue }
            XCTAssertFalse(fixture.source?.isEmpty ?? true, "\(fixture.label) cites no source")
            XCTAssertNotNil(fixture.recordedAt, "\(fixture.label) has no recordedAt")
        }
    }
}
