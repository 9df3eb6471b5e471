import Foundation
import SwitchyardCore
import Testing

@testable import Backends

@Suite struct UpstreamErrorTests {
    func normalised(_ fixture: String, status: Int) throws -> OpenAIError {
        let bytes = try Fixture.bytes(fixture)
        let error = try #require(UpstreamError(json: bytes))
        return error.openAIError(upstreamStatus: status)
    }

    @Test func vLLMNestedErrorGetsOpenAITypeAndContextCode() throws {
        let error = try normalised("vllm-error.json", status: 400)
        #expect(error.status == .badRequest)
        #expect(error.type == "invalid_request_error")
        #expect(error.code == "context_length_exceeded")
        #expect(error.param == nil)
        #expect(error.message.hasPrefix("This model's maximum context length is 4096 tokens."))
    }

    @Test func flatErrorBecomesNestedWithNullCode() throws {
        let error = try normalised("vllm-flat-error.json", status: 404)
        #expect(error == OpenAIError(status: .notFound, message: "The model `gpt-4o` does not exist.", type: "invalid_request_error"))
    }

    @Test func llamaCppContextErrorGetsOpenAICode() throws {
        let error = try normalised("llamacpp-error.json", status: 400)
        #expect(error.status == .badRequest)
        #expect(error.type == "invalid_request_error")
        #expect(error.code == "context_length_exceeded")
    }

    @Test func tgiValidationStaysAClientError() throws {
        let error = try normalised("tgi-error.json", status: 422)
        #expect(error.status == .unprocessableContent)
        #expect(error.type == "invalid_request_error")
        #expect(error.code == nil)
        #expect(error.message.hasPrefix("Input validation error"))
        #expect(error.retryAfter == nil)
    }

    @Test func tgiOverloadIsA503WithRetryAfter() throws {
        let error = try normalised("tgi-overloaded.json", status: 429)
        #expect(error.status == .serviceUnavailable)
        #expect(error.type == "server_error")
        #expect(error.retryAfter == .seconds(1))
        let upstreamAsked = try #require(UpstreamError(json: try Fixture.bytes("tgi-overloaded.json")))
        #expect(upstreamAsked.openAIError(upstreamStatus: 429, retryAfter: .seconds(7)).retryAfter == .seconds(7))
    }

    @Test func ollamaErrorKeepsItsMessageAndStatus() throws {
        let error = try normalised("ollama-error.json", status: 404)
        #expect(error == OpenAIError(status: .notFound, message: #"model "llama3.3" not found, try pulling it first"#))
    }

    @Test func errorBodyOnA200TakesItsStatusFromTheCode() throws {
        #expect(try normalised("ok-200-error-body.json", status: 200).status == .internalServerError)
        let tgi = try normalised("ok-200-tgi-error.json", status: 200)
        #expect(tgi.status == .badGateway)
        #expect(tgi.type == "server_error")
    }

    @Test func openAIStringCodesAndRateLimitTypesSurvive() {
        let error = UpstreamError(message: "Slow down", type: "tokens", code: "rate_limit_exceeded")
        let normalised = error.openAIError(upstreamStatus: 429)
        #expect(normalised.type == "tokens")
        #expect(normalised.code == "rate_limit_exceeded")
        #expect(UpstreamError(object: ["error": ["message": "x", "code": "404"]])?.status == 404)
    }

    @Test func successBodiesAreNotErrors() throws {
        #expect(UpstreamError(json: Array(#"{"object":"chat.completion","choices":[]}"#.utf8)) == nil)
        #expect(UpstreamError(json: Array(#"{"error":null,"choices":[]}"#.utf8)) == nil)
        #expect(UpstreamError(json: try Fixture.bytes("nginx-502.html")) == nil)
    }

    @Test func emptyMessageGetsOneThatNamesTheStatus() {
        let error = UpstreamError(message: "").openAIError(upstreamStatus: 503)
        #expect(error.message == "The model server failed with status 503.")
        #expect(error.type == "server_error")
    }
}
