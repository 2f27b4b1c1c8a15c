import Dispatch
import GatewayCore
import GroupModel
import JSONCore
import Support

/// Fans the event log out to connected devices. One listener and one log read per commit serve every device
/// (not a query per device): the hub reads new entries of the connected sessions in order and pushes each to its
/// session's devices. A device takes a pushed entry only when it directly follows the last one it has — the hub
/// knows each session's previous entry, since it saw it — otherwise (it resumed from a cursor, fell behind a
/// slow connection, or just connected) it reads the log itself from its own cursor until it has caught up. So a
/// device never skips an event and never gets one twice, however pushes and catch-up reads interleave.
///
/// All delivery state lives on `queue`. A slow device is never buffered without bound: above `maxBuffered`
/// bytes waiting for its connection it stops taking pushes, and catches up from the log when its connection
/// has drained.
final class DeviceHub: @unchecked Sendable {
    static let maxBuffered = 256 * 1024
    static let pageSize = 200
    /// How often connected devices' credentials are checked again (a revoked or expired key closes them).
    static let revalidateSeconds = 30

    private let log: EventLog
    private let connected: Gauge
    let queue = DispatchQueue(label: "switchboard.devices")

    // Touched on `queue` only.
    private var devices: [String: [ObjectIdentifier: DeviceSocket]] = [:]
    /// The hub's position in the log, and each connected session's newest entry it has seen.
    private var cursor: Int64 = 0
    private var newest: [String: Int64] = [:]
    private var listener: UInt64?
    private var timer: (any DispatchSourceTimer)?

    init(log: EventLog, metrics: MetricsRegistry) {
        self.log = log
        connected = metrics.gauge("switchboard_native_devices_connected", help: "Devices connected over the native device protocol.")
    }

    /// Connected devices (for metrics and tests).
    var count: Int { queue.sync { devices.values.reduce(0) { $0 + $1.count } } }

    /// A device connected: it gets its `ready` frame, then everything after its cursor, then live events.
    func attach(_ device: DeviceSocket) {
        queue.async { [self] in
            if devices.isEmpty { startListening() }
            devices[device.session, default: [:]][ObjectIdentifier(device)] = device
            connected.add(1)
            device.delivery.open = true
            device.send(DeviceFrames.ready(session: device.session, after: device.delivery.cursor, head: cursor))
            catchUp(device)
        }
    }

    func detach(_ device: DeviceSocket) {
        queue.async { [self] in
            device.delivery.open = false
            guard var sessionDevices = devices[device.session], sessionDevices.removeValue(forKey: ObjectIdentifier(device)) != nil else { return }
            connected.add(-1)
            if sessionDevices.isEmpty {
                // Unwatched from now on: its newest entry would go stale.
                devices[device.session] = nil
                newest[device.session] = nil
            } else {
                devices[device.session] = sessionDevices
            }
            if devices.isEmpty { stopListening() }
        }
    }

    /// The device's connection drained: a device that fell behind catches up.
    func writable(_ device: DeviceSocket) {
        queue.async { [self] in if device.delivery.open && device.delivery.behind { catchUp(device) } }
    }

    /// The newest position sent to the device (what it may acknowledge).
    func sent(to device: DeviceSocket) -> Int64 { queue.sync { device.delivery.cursor } }

    // MARK: - Listening (queue)

    private func startListening() {
        // Listen first, then read the head: whatever commits in between is read on the first wake.
        listener = log.addListener { [weak self] in
            guard let hub = self else { return }
            hub.queue.async { hub.drain() }
        }
        cursor = (try? log.lastSeq()) ?? 0
        newest = [:]
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .seconds(Self.revalidateSeconds), repeating: .seconds(Self.revalidateSeconds))
        timer.setEventHandler { [weak self] in self?.revalidate() }
        timer.resume()
        self.timer = timer
    }

    private func stopListening() {
        if let listener { log.removeListener(listener) }
        listener = nil
        timer?.cancel()
        timer = nil
    }

    /// Reads what was committed since the hub's cursor and pushes each entry to its session's devices. The read is
    /// by position alone (the primary key) and sessions are picked here: a filter of every connected session in SQL
    /// costs an index seek per session on every commit.
    private func drain() {
        while !devices.isEmpty {
            guard let page = try? log.page(after: cursor, sessions: nil, types: nil, limit: Self.pageSize * 5), !page.isEmpty else {
                return
            }
            for entry in page {
                let session = entry.event.session
                let previous = newest[session]
                newest[session] = entry.seq
                guard let sessionDevices = devices[session] else { continue }
                var frame: String?
                for device in sessionDevices.values {
                    push(entry, previous: previous, to: device, frame: &frame)
                }
            }
            cursor = page.last!.seq
            if page.count < Self.pageSize * 5 { return }
        }
    }

    private func push(_ entry: EventLog.Entry, previous: Int64?, to device: DeviceSocket, frame: inout String?) {
        let state = device.delivery
        guard state.open, entry.seq > state.cursor else { return }
        guard !state.behind, previous == state.cursor, device.bufferedBytes < Self.maxBuffered else {
            catchUp(device)
            return
        }
        if frame == nil { frame = DeviceFrames.event(seq: entry.seq, entry.event.json) }
        device.send(frame!)
        device.delivery.cursor = entry.seq
    }

    /// Sends the device everything after its cursor from the log, while its connection keeps up.
    private func catchUp(_ device: DeviceSocket) {
        device.delivery.behind = true
        while device.delivery.open {
            guard device.bufferedBytes < Self.maxBuffered else { return }  // resumes on `writable`
            guard let page = try? log.page(after: device.delivery.cursor, sessions: [device.session], types: nil, limit: Self.pageSize) else {
                return
            }
            for entry in page { device.send(DeviceFrames.event(seq: entry.seq, entry.event.json)) }
            if let last = page.last { device.delivery.cursor = last.seq }
            if page.count < Self.pageSize {
                device.delivery.behind = false
                return
            }
        }
    }

    private func revalidate() {
        for sessionDevices in devices.values {
            for device in sessionDevices.values { device.revalidate() }
        }
    }
}

/// A device's place in its stream (touched on the hub's queue only).
struct DeviceDelivery {
    /// The newest log position sent to the device.
    var cursor: Int64
    /// The device reads from the log itself until it has caught up (pushes are ignored meanwhile).
    var behind = true
    var open = false
}
