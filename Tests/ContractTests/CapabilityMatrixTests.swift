import Foundation
import Switchboard
import TestSupport
import XCTest

/// The README's capability matrix is the one the adapters declare.
final class CapabilityMatrixTests: XCTestCase {
    func testReadmeMatrixIsGeneratedFromTheDeclarations() throws {
        let readme = try String(contentsOfFile: Script.repositoryRoot + "/README.md", encoding: .utf8)
        guard let start = readme.range(of: CapabilityMatrix.begin), let end = readme.range(of: CapabilityMatrix.end, range: start.upperBound..<readme.endIndex) else {
            return XCTFail("README.md has no generated capability matrix between its markers")
        }
        let inReadme = String(readme[start.lowerBound..<end.upperBound])
        XCTAssertEqual(inReadme, CapabilityMatrix.markdown(), "README.md's matrix is stale: replace it with the output of `switchboard providers matrix`")
    }

    func testMatrixHasEveryProviderAndCapability() {
        let matrix = CapabilityMatrix.markdown()
        XCTAssertTrue(matrix.contains("| capability | native | waha | waxum | walytic | talkntalk | a1base |"), matrix)
        XCTAssertTrue(matrix.contains("| `messages.text` | ✓ | ✓ | ✓ | ≈ | ✓ | ✓ |"), matrix)
        XCTAssertTrue(matrix.contains("| `groups.list` | ✓ | ✓ | ✓ | ≈ | ≈ | – |"), matrix)
    }
}
