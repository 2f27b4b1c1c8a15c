import Dispatch

/// Runs async work to completion from synchronous code (start-up and the CLI only: never call it from a task
/// on the cooperative pool, which it would block).
public func runBlocking<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
    let semaphore = DispatchSemaphore(value: 0)
    let result = LockedValue<Result<T, any Error>?>(nil)
    Task.detached {
        do {
            result.set(.success(try await operation()))
        } catch {
            result.set(.failure(error))
        }
        semaphore.signal()
    }
    semaphore.wait()
    return try result.get()!.get()
}
