import FastChatAdapter
import Foundation
import HTTPTypes
import NIOCore

/// A failure answered in FastChat's shape, `{"text": ..., "error_code": N}`, with an HTTP status
/// for clients that read it (FastChat's own read only the body).
struct FastChatFailure: Error, Sendable, Equatable {
    var code: FastChatErrorCode
    var message: String

    init(_ code: FastChatErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// FastChat's workers prefix server-side failures with this line.
    static let serverErrorMessage = "**NETWORK ERROR DUE TO HIGH TRAFFIC. PLEASE REGENERATE OR REFRESH THIS PAGE.**"

    /// A failure of the backend: FastChat's internal error with its cause appended, as its workers say it.
    static func backend(_ detail: String) -> FastChatFailure {
        FastChatFailure(.internalError, serverErrorMessage + "\n\n(" + detail + ")")
    }

    var status: HTTPResponse.Status {
        code.rawValue < 50000 ? .badRequest : code == .engineOverloaded ? .serviceUnavailable : .internalServerError
    }

    var json: ByteBuffer {
        let object: [String: FastChatFailureField] = ["text": .text(message), "error_code": .code(code.rawValue)]
        return ByteBuffer(data: (try? JSONEncoder().encode(object)) ?? Data())
    }
}

private enum FastChatFailureField: Encodable {
    case text(String)
    case code(Int)

    func encode(to encoder: any Encoder) throws {
        var value = encoder.singleValueContainer()
        switch self {
        case .text(let text): try value.encode(text)
        case .code(let code): try value.encode(code)
        }
    }
}
