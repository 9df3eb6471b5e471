import NIOCore
import Testing

@testable import SwitchyardCore

@Suite struct RequestValidatorTests {
    func validate(_ json: String, for endpoint: Endpoint = .chatCompletions) throws -> ValidatedRequest {
        try RequestValidator.validate(ByteBuffer(string: json), for: endpoint)
    }

    func rejection(_ json: String, for endpoint: Endpoint = .chatCompletions) -> OpenAIError? {
        do {
            _ = try validate(json, for: endpoint)
            return nil
        } catch {
            return error as? OpenAIError
        }
    }

    @Test func acceptsAFullRequestAndReadsWhatRoutingNeeds() throws {
        let request = try validate(
            #"{"model":"m","stream":true,"user":"u1","messages":[{"role":"developer","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"x"}}]},{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"42"}],"temperature":0.2,"top_k":5,"stop":"x","tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"auto"}"#
        )
        #expect(request == ValidatedRequest(model: "m", stream: true, user: "u1", prompt: "be brief\nhi\n42"))
    }

    @Test func nullMeansNotGiven() throws {
        let request = try validate(#"{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":null,"stream":null,"stop":null}"#)
        #expect(request.stream == false)
    }

    @Test(arguments: [
        (#"{"messages":[]}"#, "model", "missing_required_parameter"),
        (#"{"model":"m"}"#, "messages", "missing_required_parameter"),
        (#"{"model":"m","messages":"hi"}"#, "messages", "invalid_type"),
        (#"{"model":"m","messages":[]}"#, "messages", "empty_array"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":2.5}"#, "temperature", "decimal_above_max_value"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"n":129}"#, "n", "integer_above_max_value"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"n":1.5}"#, "n", "invalid_type"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"top_logprobs":21}"#, "top_logprobs", "integer_above_max_value"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":"yes"}}"#, "stream_options.include_usage", "invalid_type"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"sometimes"}"#, "tool_choice", "invalid_value"),
        (#"{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}"#, "messages[0].content[0].text", "missing_required_parameter"),
        (#"{"model":"m","messages":[{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f"}}]}]}"#, "messages[0].tool_calls[0].id", "missing_required_parameter"),
    ])
    func rejectsWithParamAndCode(json: String, param: String, code: String) {
        let error = rejection(json)
        #expect(error?.status == .badRequest)
        #expect(error?.param == param)
        #expect(error?.code == code)
        #expect(error?.type == "invalid_request_error")
    }

    @Test func messagesReadLikeOpenAIs() {
        #expect(rejection(#"{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"hot"}"#)?.message
            == "Invalid type for 'temperature': expected a decimal, but got a string instead.")
        #expect(rejection(#"{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":-1}"#)?.message
            == "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -1 instead.")
        #expect(rejection("not json")?.code == nil)
        #expect(rejection("[1,2]")?.code == "invalid_type")
    }

    @Test func lenientOnCombinationsClientsSend() throws {
        _ = try validate(#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":false,"stream_options":{"include_usage":"ignored"},"max_tokens":5,"max_completion_tokens":3,"parallel_tool_calls":false}"#)
    }

    @Test func completionsAcceptEveryPromptShape() throws {
        #expect(try validate(#"{"model":"m","prompt":"a b"}"#, for: .completions).prompt == "a b")
        #expect(try validate(#"{"model":"m","prompt":["a","b"]}"#, for: .completions).prompt == "a\nb")
        #expect(try validate(#"{"model":"m","prompt":[1,2,3]}"#, for: .completions).prompt == nil)
        #expect(try validate(#"{"model":"m","prompt":[[1,2],[3]]}"#, for: .completions).prompt == nil)
        #expect(rejection(#"{"model":"m","prompt":{"x":1}}"#, for: .completions)?.param == "prompt")
        #expect(rejection(#"{"model":"m","prompt":"a","logprobs":true}"#, for: .completions)?.code == "invalid_type")
    }

    @Test func embeddingsNeedNonEmptyInputAndAKnownEncoding() throws {
        #expect(try validate(#"{"model":"m","input":"a","encoding_format":"base64","stream":true}"#, for: .embeddings).stream == false)
        _ = try validate(#"{"model":"m","input":[[1,2],[3]]}"#, for: .embeddings)
        #expect(rejection(#"{"model":"m"}"#, for: .embeddings)?.code == "missing_required_parameter")
        #expect(rejection(#"{"model":"m","input":["a",""]}"#, for: .embeddings)?.param == "input")
        #expect(rejection(#"{"model":"m","input":[]}"#, for: .embeddings)?.param == "input")
        #expect(rejection(#"{"model":"m","input":"a","encoding_format":"int8"}"#, for: .embeddings)?.code == "invalid_value")
        #expect(rejection(#"{"model":"m","input":"a","dimensions":0}"#, for: .embeddings)?.code == "integer_below_min_value")
    }

    @Test(arguments: [#"[1.5]"#, #"[["x"]]"#, #"[true]"#, #"{"text":"a"}"#, #"[[1],"a"]"#, "1"])
    func embeddingsOfTheWrongShapeAreRefused(input: String) {
        let error = rejection(#"{"model":"m","input":"# + input + "}", for: .embeddings)
        #expect(error?.status == .badRequest)
        #expect(error?.param == "input")
    }

    @Test func embeddingsTakeAtMost2048Inputs() throws {
        let many = { (count: Int) in #"{"model":"m","input":["# + Array(repeating: #""x""#, count: count).joined(separator: ",") + "]}" }
        _ = try validate(many(2048), for: .embeddings)
        #expect(rejection(many(2049), for: .embeddings)?.param == "input")
    }

    @Test func modelNamesAreAtMost256Bytes() throws {
        let name = { (length: Int) in String(repeating: "é", count: length / 2) }
        _ = try validate(#"{"model":""# + name(256) + #"","messages":[{"role":"user","content":"x"}]}"#)
        let error = rejection(#"{"model":""# + String(repeating: "m", count: 2 << 20) + #"","messages":[{"role":"user","content":"x"}]}"#)
        #expect(error?.code == "string_above_max_length")
        #expect(error?.param == "model")
        #expect((error?.message.utf8.count ?? .max) < 300, "the refusal does not echo the name")
        #expect(rejection(#"{"model":""# + name(258) + #"","prompt":"x"}"#, for: .completions)?.param == "model")
    }

    @Test func completionsBoundPromptsTimesN() throws {
        let prompts = { (count: Int, n: Int) in
            #"{"model":"m","n":"# + String(n) + #","prompt":["# + Array(repeating: #""p""#, count: count).joined(separator: ",") + "]}"
        }
        _ = try validate(prompts(16, 128), for: .completions)
        _ = try validate(prompts(2048, 1), for: .completions)
        #expect(rejection(prompts(1000, 128), for: .completions)?.param == "n")
        #expect(rejection(prompts(2049, 1), for: .completions)?.param == "n")
        let tokenPrompts = "[" + (1...103).map { "[\($0)]" }.joined(separator: ",") + "]"
        #expect(rejection(#"{"model":"m","best_of":20,"prompt":"# + tokenPrompts + "}", for: .completions)?.param == "n")
    }
}
