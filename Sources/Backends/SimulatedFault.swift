import Foundation
import SwitchyardCore

/// Misbehaviour a request asks the simulator for, in the body field `switchyard_sim` (the gateway
/// passes unknown fields through, and the openai SDK sends it with `extra_body`):
///
/// ```json
/// "switchyard_sim": {"fail": 503, "retry_after": 1, "stall": 2.5, "stall_after": 3,
///                    "drop_after": 4, "error_after": 4}
/// ```
/// - `fail`: answer with this HTTP status before the first byte (OpenAI error JSON; `retry_after` seconds on 429/503).
/// - `stall`: seconds of silence before the first byte, or after `stall_after` streamed tokens (0: right after the role chunk).
/// - `drop_after`: cut the connection after that many tokens, mid-body.
/// - `error_after`: end a stream after that many tokens with a `data: {"error": …}` event.
public struct SimulatedFault: Decodable, Sendable, Equatable {
    public var fail: Int?
    public var retryAfter: Double?
    public var stall: Double?
    public var stallAfter: Int?
    public var dropAfter: Int?
    public var errorAfter: Int?

    public init(fail: Int? = nil, retryAfter: Double? = nil, stall: Double? = nil, stallAfter: Int? = nil, dropAfter: Int? = nil, errorAfter: Int? = nil) {
        self.fail = fail
        self.retryAfter = retryAfter
        self.stall = stall
        self.stallAfter = stallAfter
        self.dropAfter = dropAfter
        self.errorAfter = errorAfter
    }

    enum CodingKeys: String, CodingKey {
        case fail, stall
        case retryAfter = "retry_after"
        case stallAfter = "stall_after"
        case dropAfter = "drop_after"
        case errorAfter = "error_after"
    }

    /// The error a `fail` request gets before any byte.
    public var failure: OpenAIError? {
        guard let fail, (400..<600).contains(fail) else { return nil }
        var error = OpenAIError(status: .init(code: fail), message: "Simulated failure (HTTP \(fail)) requested by switchyard_sim.")
        if fail == 429 {
            error.type = "requests"
            error.code = "rate_limit_exceeded"
        }
        error.retryAfter = retryAfter.flatMap { Duration.clamped(seconds: $0) }
        return error
    }

    /// Refuses a stall the simulator would never wake from: a test asks for seconds, not 1e300.
    public func check() throws {
        guard let stall else { return }
        guard stall.isFinite, stall >= 0, stall <= Duration.outsidePauseLimit.totalSeconds else {
            throw OpenAIError.badRequest(
                "Invalid 'switchyard_sim.stall': expected seconds between 0 and \(Int(Duration.outsidePauseLimit.totalSeconds)), but got \(stall) instead.",
                param: "switchyard_sim.stall", code: "invalid_value"
            )
        }
    }

    /// The pause before anything is sent, which a gateway sees as a slow first byte.
    public var stallBeforeFirstByte: Duration? {
        guard let stall, stall > 0, stallAfter == nil else { return nil }
        return Duration.clamped(seconds: stall)
    }

    /// The pause inside a non-streamed answer, when `stall_after` places the stall after the first byte.
    public var stallInsideAnswer: Duration? {
        guard let stall, stall > 0, stallAfter != nil else { return nil }
        return Duration.clamped(seconds: stall)
    }

    /// The pause mid-stream, once `tokens` tokens went out.
    public func stall(after tokens: Int) -> Duration? {
        guard let stall, stall > 0, stallAfter == tokens else { return nil }
        return Duration.clamped(seconds: stall)
    }

    /// The connection drop the simulator throws to cut a body short.
    public struct Dropped: Error {}

    /// The error event that ends a stream cut by `error_after`.
    public static let midStreamError = OpenAIError(
        status: .internalServerError,
        message: "Simulated failure mid-stream requested by switchyard_sim."
    )
}
