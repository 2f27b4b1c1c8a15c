/// The protocol a connection switches to after `101 Switching Protocols` (a WebSocket). The server stops parsing
/// HTTP and hands every byte that follows the request — including bytes that arrived with it — to the upgrade, in
/// order, on the connection's thread. Calls never overlap; implementations must return quickly.
public protocol ConnectionUpgrade: Sendable {
    /// The 101 head is queued; `channel` writes to the client from now on.
    func start(_ channel: any UpgradedChannel)
    /// Bytes from the client.
    func received(_ bytes: [UInt8])
    /// Everything written so far was taken by the kernel (a paused producer may go on).
    func drained()
    /// The server is shutting down: finish up (a WebSocket sends its close frame). The server closes whatever
    /// is still open when its grace period ends.
    func serverStopping()
    /// The connection is gone (either side closed it, or it failed). Called once, last.
    func closed()
}

/// The server side of an upgraded connection; usable from any thread.
public protocol UpgradedChannel: Sendable {
    /// Queues bytes for the client. False once the connection is closing or gone.
    @discardableResult func write(_ bytes: [UInt8]) -> Bool
    /// Bytes queued but not yet taken by the kernel: producers pause above their own bound.
    var bufferedBytes: Int { get }
    /// Stops (false) or resumes (true) reading from the client: the kernel's buffers then push back on it.
    func setReading(_ reading: Bool)
    /// Closes the connection once the queued bytes are written (or the write timeout passes).
    func close()
}
