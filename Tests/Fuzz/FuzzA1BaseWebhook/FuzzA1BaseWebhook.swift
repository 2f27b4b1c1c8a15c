import FuzzSupport
import A1BaseProvider

private let fuzzing = WebhookFuzzing(
    A1BaseWebhook(),
    headerVariants: [[("Content-Type", "application/json"), ("X-A1Base-Timestamp", "$timestamp"), ("X-A1Base-Signature", "$sign")]])

/// libFuzzer target for A1Base's webhook normalizer (docs/fuzzing.md): the input is a webhook body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzA1BaseWebhook(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzing.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
