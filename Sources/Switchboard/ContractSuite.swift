import ContractKit

/// The contract runner with every provider this build has.
public enum ContractSuite {
    public static func runner() -> ContractRunner {
        ContractRunner(catalog: ProviderCatalog.remote, nativeWorld: { try NativeFixtureWorld() })
    }
}
