import FuzzSupport
import WalyticProvider

private let fuzzing = WebhookFuzzing(
    WalyticWebhook(),
    headerVariants: [[("Content-Type", "application/json")]], query: [("token", "$secret")])

/// libFuzzer target for Walytic's webhook normalizer (URL-token authenticated) (docs/fuzzing.md): the input is a webhook body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWalyticWebhook(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzing.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
