import ContractKit
import Foundation
import GatewayCore
import GroupModel
import JSONCore
import NativeEngine
import ProviderKit
import Storage
import Support

/// The native engine in a temporary database, for native contract fixtures. Every phone number the fixture
/// mentions gets an account; `setup` steps run first, each as its `phone` (default: the fixture's), and `$group`,
/// `$code` and `$message` then stand for the last group created, invite code read (`$code1`, `$code2`… each one in order) and message sent; the fixture's
/// session acts with `account.phone`.
final class NativeFixtureWorld: NativeContractWorld, @unchecked Sendable {
    private let directory: String
    private let database: Database
    private let engine: NativeEngine

    init() throws {
        directory = NSTemporaryDirectory() + "switchboard-contract-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        database = try Database(
            path: directory + "/native.db", migrations: GatewaySchema.migrations + NativeSchema.migrations, logger: .discard)
        let events = EventLog(database: database)
        engine = NativeEngine(database: database, events: events, messages: MessageStore(database: database), clock: SystemClock())
    }

    func close() {
        database.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func run(_ operation: Fixture.Operation, fixture: Fixture, runner: ContractRunner) async -> String? {
        guard let phone = fixture.account["phone"]?.stringValue else { return "a native fixture needs account.phone" }
        do {
            // Accounts for the fixture's session and for every phone it mentions anywhere.
            var phones = [phone] + NativeFixtureWorld.phones(in: operation.body) + operation.setup.flatMap { NativeFixtureWorld.phones(in: $0.body) }
            phones += operation.setup.compactMap(\.phone)
            var sessions: [String: SessionBinding] = [:]
            for (index, number) in phones.enumerated() where UserID.parse(number) != nil && !sessions.keys.contains(number) {
                let name = number == phone ? "contract" : "p\(index)"
                let binding = SessionBinding(session: name, provider: "native", kind: "native", account: ["phone": .string(number)])
                sessions[number] = SessionBinding(session: name, provider: "native", kind: "native", account: try await engine.provision(binding))
            }
            var substitutions: [String: String] = [:]
            for step in operation.setup where step.name != nil {
                // The step acts as `phone` when given, else as the fixture's session.
                let actor = step.phone.flatMap { sessions[$0] } ?? step.session.flatMap { session in sessions.values.first { $0.session == session } } ?? sessions[phone]!
                let decoded = try CanonicalOperation.decode(
                    name: step.name!, path: NativeFixtureWorld.substitute(step.path, substitutions),
                    body: step.body.map { NativeFixtureWorld.substitute($0, substitutions) }, query: JSONObject(), messageID: SortableID.make("msg"),
                    now: Date())
                switch try await engine.perform(decoded, on: actor) {
                case .group(let group): substitutions["$group"] = group.id
                case .invite(let invite):
                    substitutions["$code"] = invite.code
                    substitutions["$code\(substitutions.keys.filter { $0.hasPrefix("$code") }.count)"] = invite.code
                case .sent(let outcome): substitutions["$message"] = outcome.providerMessageId ?? ""
                default: break
                }
            }
            let resolved = Fixture.Operation(
                name: operation.name, path: NativeFixtureWorld.substitute(operation.path, substitutions),
                body: operation.body.map { NativeFixtureWorld.substitute($0, substitutions) }, query: operation.query, exchanges: [],
                expect: operation.expect, httpStatus: operation.httpStatus, setup: [])
            let (status, body) = await runner.execute(resolved, adapter: engine, binding: sessions[phone]!)
            return runner.check(resolved, status: status, body: body, calls: 0, missing: [])
        } catch {
            return "setup failed: \(error.code): \(error.message)"
        }
    }

    static func phones(in json: JSON?) -> [String] {
        switch json {
        case .string(let text)?: return text.hasPrefix("+") && UserID.parse(text) != nil ? [text] : []
        case .array(let items)?: return items.flatMap { phones(in: $0) }
        case .object(let object)?: return object.members.flatMap { phones(in: $0.value) }
        default: return []
        }
    }

    static func substitute(_ object: JSONObject, _ values: [String: String]) -> JSONObject {
        substitute(.object(object), values).objectValue ?? object
    }

    static func substitute(_ json: JSON, _ values: [String: String]) -> JSON {
        json.mappingStrings { values[$0] ?? $0 }
    }
}
