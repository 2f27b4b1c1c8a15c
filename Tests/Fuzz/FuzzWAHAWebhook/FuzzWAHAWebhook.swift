import FuzzSupport
import WAHAProvider

private let fuzzing = WebhookFuzzing(
    WAHAWebhook(),
    headerVariants: [[("Content-Type", "application/json"), ("X-Webhook-Hmac-Algorithm", "sha512"), ("X-Webhook-Hmac", "$sign")]])

/// libFuzzer target for WAHA's webhook normalizer (docs/fuzzing.md): the input is a webhook body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWAHAWebhook(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzing.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
