/// FastChat's `ErrorCode` IntEnum: what a FastChat worker puts in `error_code` when it fails.
public enum FastChatErrorCode: Int, Sendable, CaseIterable {
    case validationTypeError = 40001
    case invalidAuthKey = 40101
    case incorrectAuthKey = 40102
    case noPermission = 40103
    case invalidModel = 40301
    case paramOutOfRange = 40302
    case contextOverflow = 40303
    case rateLimit = 42901
    case quotaExceeded = 42902
    case engineOverloaded = 42903
    case internalError = 50001
    case cudaOutOfMemory = 50002
    case gradioRequestError = 50003
    case gradioStreamUnknownError = 50004
    case controllerNoWorker = 50005
    case controllerWorkerTimeout = 50006
}
