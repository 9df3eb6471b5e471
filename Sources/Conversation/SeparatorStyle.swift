/// How a FastChat conversation template joins its turns into one prompt.
///
/// The raw values are those of FastChat's `SeparatorStyle` IntEnum, which is how a worker's
/// `/worker_get_conv_template` answer names the style (`"sep_style": 2`).
public enum SeparatorStyle: Int, Sendable, Codable, CaseIterable {
    case addColonSingle = 1
    case addColonTwo
    case addColonSpaceSingle
    case noColonSingle
    case noColonTwo
    case addNewLineSingle
    case llama2
    case llama3
    case chatGLM
    case chatML
    case chatIntern
    case dolly
    case rwkv
    case phoenix
    case robin
    case falconChat
    case chatGLM3
    case deepseekChat
    case metaMath
    case yuan2
    case gemma
    case cllm
    case `default`
}
