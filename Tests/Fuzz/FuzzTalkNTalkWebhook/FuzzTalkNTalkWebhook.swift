import FuzzSupport
import TalkNTalkProvider

private let fuzzing = WebhookFuzzing(
    TalkNTalkWebhook(),
    headerVariants: [
        [("Content-Type", "application/json"), ("X-TalkNTalk-Event", "$event"), ("X-TalkNTalk-Signature", "$sign")],
        [("Content-Type", "application/json"), ("X-TalkNTalk-Signature", "$sign")],
    ])

/// libFuzzer target for TalkNTalk's webhook normalizer, with and without the event header (docs/fuzzing.md): the input is a webhook body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTalkNTalkWebhook(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzing.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
