import HTTPCore

/// The channel an upgraded connection's protocol writes through, from any thread.
final class UpgradeChannel: ConnectionWriter, UpgradedChannel, @unchecked Sendable {
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool { enqueue(bytes) { $0.writeUpgraded($1) } }

    func setReading(_ reading: Bool) { onConnection { $0.setUpgradedReading(reading) } }

    func close() {
        guard closed() else { return }
        onConnection { $0.closeUpgraded() }
    }
}
