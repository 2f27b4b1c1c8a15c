import FuzzSupport
import WaxumProvider

private let fuzzing = WebhookFuzzing(
    WaxumWebhook(),
    headerVariants: [
        [("Content-Type", "application/json"), ("X-Webhook-Signature-Version", "v2"), ("X-Webhook-Timestamp", "$timestamp"), ("X-Webhook-Signature", "$sign")],
        [("Content-Type", "application/json"), ("X-Webhook-Signature", "$sign")],
    ])

/// libFuzzer target for waxum's webhook normalizer, signatures v2 and v1 (docs/fuzzing.md): the input is a webhook body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWaxumWebhook(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzing.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
