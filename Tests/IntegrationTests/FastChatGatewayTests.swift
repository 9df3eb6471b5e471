import Foundation
import NIOCore
import SwitchyardCore
import Testing

/// A real controller and gateway in front of FastChat-protocol workers (registered without
/// `"api": "openai"`), reached with a real HTTP client: what an OpenAI client gets from
/// FastChat's workers, and what those workers are sent.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct FastChatGatewayTests {
    typealias Worker = FastChatWorkerDouble

    /// The gateway's controller, with the FastChat workers registered and their models served.
    static func serve(_ workers: [Worker]) async throws -> (process: SwitchyardProcess, gateway: String) {
        let process = try CoreLoopTests.startController()
        let controller = try await process.url(of: "controller")
        let gateway = try await process.url(of: "gateway")
        for worker in workers { try await worker.register(with: controller) }
        try await eventually("the gateway lists every FastChat model") {
            let models = try await HTTP.get(gateway + "/v1/models").text
            return workers.allSatisfy { models.contains(#""\#($0.model)""#) }
        }
        return (process, gateway)
    }

    /// A worker that answers "Hello world" in three cumulative objects and a finish object, "Café
    /// au lait" (its first object cut inside the é, as FastChat's decoder leaves U+FFFD) when the
    /// prompt says café, and "one two END three" when it says Count; the prompt first when asked to echo.
    static let healthy: Worker.Script = { parameters in
        let prompt = parameters["prompt"]?.string ?? ""
        let echo = parameters["echo"]?.bool == true ? prompt : ""
        let texts =
            prompt.contains("café") ? ["Caf\u{FFFD}", "Café au", "Café au lait"]
            : prompt.contains("Count") ? ["one two E", "one two EN", "one two END three"]
            : ["Hello", "Hello wor", "Hello world"]
        // Asked for logprobs, the last object carries the HF worker's (no alternatives).
        let logprobs = parameters["logprobs"]?.integer == nil ? nil : Self.logprobs
        return texts.enumerated().map { Worker.object(echo + $1, completion: $0 + 1) }
            + [Worker.object(echo + texts[texts.count - 1], completion: texts.count, finish: "stop", logprobs: logprobs)]
    }

    static let logprobs = #"{"text_offset": [0, 5], "tokens": ["Hello", " world"], "token_logprobs": [-0.5, -0.25], "top_logprobs": [{}, {}]}"#

    /// FastChat's model worker running out of GPU memory before any text.
    static let outOfMemory = #"{"text": "**NETWORK ERROR DUE TO HIGH TRAFFIC. PLEASE REGENERATE OR REFRESH THIS PAGE.**\n\n(CUDA out of memory.)", "error_code": 50002}"#

    static func json(_ reply: HTTP.Reply) throws -> JSONValue {
        try JSONValue(parsing: reply.body)
    }

    static func chat(_ model: String, _ content: String, extra: String = "") -> String {
        #"{"model":"\#(model)","messages":[{"role":"user","content":"\#(content)"}]\#(extra)}"#
    }

    /// Checks an answer is OpenAI's error object with `status`, and returns the error.
    static func openAIError(_ reply: HTTP.Reply, status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        #expect(reply.status == status, "\(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.headers["content-type"]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
        let error = try #require(try json(reply)["error"], "\(reply.text)", sourceLocation: sourceLocation)
        #expect(error["message"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(error["type"]?.string != nil, sourceLocation: sourceLocation)
        return error
    }

    /// The events of a stream that failed after its first text: the text, one OpenAI error event, `[DONE]`.
    static func checkErrorAfterText(_ reply: HTTP.Reply, text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(reply.status == 200, sourceLocation: sourceLocation)
        let events = reply.events
        #expect(events.last == "[DONE]", sourceLocation: sourceLocation)
        #expect(events.count >= 3, sourceLocation: sourceLocation)
        guard events.count >= 3 else { return }
        let error = try JSONValue(parsing: ByteBuffer(string: events[events.count - 2]))["error"]
        #expect(error?["message"]?.string?.isEmpty == false, "\(events)", sourceLocation: sourceLocation)
        let chunks = try events.dropLast(2).map { try JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.utf8)) }
        #expect(chunks.map(\.text).joined() == text, sourceLocation: sourceLocation)
        #expect(chunks.allSatisfy { $0.choices.allSatisfy { $0.finishReason == nil } }, "no finish after a failure", sourceLocation: sourceLocation)
    }

    @Test func chatCompletionsAndEmbeddingsThroughAFastChatWorker() async throws {
        // Streams come one byte per write: NULs and UTF-8 characters are cut across reads.
        let worker = try await Worker.start(model: "vicuna-7b", byteByByte: true, script: Self.healthy)
        let (process, gateway) = try await Self.serve([worker])
        let chat = gateway + "/v1/chat/completions"

        // 1. The vicuna prompt for the messages, stop strings and tokens merged with the template's.
        let conversation = #"{"model":"vicuna-7b","stop":"END","messages":[{"role":"system","content":"Be terse."},"#
            + #"{"role":"user","content":"Hello!"},{"role":"assistant","content":"Hi."},{"role":"user","content":"How are you?"}]"#
        let prompt = "Be terse. USER: Hello! ASSISTANT: Hi.</s>USER: How are you? ASSISTANT:"
        let whole = try await HTTP.post(chat, json: conversation + "}")
        #expect(whole.status == 200, "\(whole.text)")
        let sent = try #require(worker.calls(to: "/worker_generate").last)
        #expect(sent["prompt"]?.string == prompt)
        #expect(sent["model"]?.string == "vicuna-7b")
        #expect(sent["stop"] == .array([.string("END"), .string("</s>")]))
        #expect(sent["stop_token_ids"] == .array([.number(2)]))
        #expect(sent["echo"] == .bool(false))
        #expect(sent["temperature"]?.number == 0.7)
        // No max_tokens: all the context the prompt leaves (the double counts words).
        #expect(sent["max_new_tokens"]?.integer == 2048 - prompt.split(separator: " ").count)
        #expect(worker.calls(to: "/count_token").last?["prompt"]?.string == prompt)

        // 2. The answer and its usage, whole and streamed.
        let answer = try whole.decode(ChatCompletion.self)
        #expect(answer.object == "chat.completion")
        #expect(answer.model == "vicuna-7b")
        #expect(answer.choices.map(\.message.content) == ["Hello world"])
        #expect(answer.choices.first?.finishReason == "stop")
        #expect(answer.usage == Usage(promptTokens: 5, completionTokens: 3))

        let streamed = try await HTTP.post(chat, json: conversation + #","stream":true,"stream_options":{"include_usage":true}}"#)
        #expect(streamed.status == 200)
        #expect(streamed.headers["content-type"]?.hasPrefix("text/event-stream") == true)
        #expect(streamed.events.last == "[DONE]")
        let chunks = try streamed.chunks()
        #expect(chunks.first?.choices.first?.delta.role == "assistant")
        #expect(chunks.map(\.text).joined() == "Hello world")
        #expect(chunks.flatMap(\.choices).compactMap(\.finishReason) == ["stop"])
        #expect(chunks.last?.choices.isEmpty == true)
        #expect(chunks.last?.usage == Usage(promptTokens: 5, completionTokens: 3))
        #expect(chunks.dropLast().allSatisfy { $0.usage == nil })
        #expect(worker.calls(to: "/worker_generate_stream").last?["prompt"]?.string == prompt)

        // A character cut by the worker's decoder (U+FFFD) and by the network arrives whole, once;
        // without a system message the template's own is kept.
        let cafe = try await HTTP.post(chat, json: Self.chat("vicuna-7b", "café please", extra: #","stream":true"#))
        #expect(try cafe.chunks().map(\.text).joined() == "Café au lait")
        let cafePrompt = try #require(worker.calls(to: "/worker_generate_stream").last?["prompt"]?.string)
        #expect(cafePrompt.hasPrefix("A chat between a curious user"))
        #expect(cafePrompt.hasSuffix(" USER: café please ASSISTANT:"))

        // A stop string split across the worker's objects ends the answer before it, streamed or not.
        let counting = Self.chat("vicuna-7b", "Count", extra: #","stop":["END"]"#)
        let stoppedStream = try await HTTP.post(chat, json: String(counting.dropLast()) + #","stream":true}"#)
        let stoppedChunks = try stoppedStream.chunks()
        #expect(stoppedChunks.map(\.text).joined() == "one two ")
        #expect(stoppedChunks.flatMap(\.choices).compactMap(\.finishReason) == ["stop"])
        let stopped = try await HTTP.post(chat, json: counting).decode(ChatCompletion.self)
        #expect(stopped.choices.first?.message.content == "one two ")
        #expect(stopped.choices.first?.finishReason == "stop")

        // 3. n = 2: two whole generations, usage summed.
        let generated = worker.calls(to: "/worker_generate").count
        let pair = try await HTTP.post(chat, json: Self.chat("vicuna-7b", "Hi", extra: #","n":2"#))
        #expect(pair.status == 200, "\(pair.text)")
        #expect(worker.calls(to: "/worker_generate").count == generated + 2)
        let pairAnswer = try pair.decode(ChatCompletion.self)
        #expect(pairAnswer.choices.map(\.index) == [0, 1])
        #expect(pairAnswer.choices.map(\.message.content) == ["Hello world", "Hello world"])
        #expect(pairAnswer.usage == Usage(promptTokens: 10, completionTokens: 6))

        // 4. A prompt past the context is refused before any generation.
        let generations = worker.calls(to: "/worker_generate").count + worker.calls(to: "/worker_generate_stream").count
        let long = String(repeating: "word ", count: 2100)
        let overflow = try Self.openAIError(try await HTTP.post(chat, json: Self.chat("vicuna-7b", long)), status: 400)
        #expect(overflow["code"]?.string == "context_length_exceeded")
        #expect(overflow["type"]?.string == "invalid_request_error")
        #expect(worker.calls(to: "/worker_generate").count + worker.calls(to: "/worker_generate_stream").count == generations)

        // The template and context were asked for once.
        #expect(worker.calls(to: "/worker_get_conv_template").count == 1)
        #expect(worker.calls(to: "/model_details").count == 1)

        // 6. Completions: the raw prompt, echoed by the worker, whole and streamed.
        let completion = #"{"model":"vicuna-7b","prompt":"Once upon a time","echo":true,"max_tokens":5"#
        let echoed = try await HTTP.post(gateway + "/v1/completions", json: completion + "}")
        #expect(echoed.status == 200, "\(echoed.text)")
        let echoedAnswer = try Self.json(echoed)
        #expect(echoedAnswer["object"]?.string == "text_completion")
        #expect(echoedAnswer["choices"]?.array?.first?["text"]?.string == "Once upon a timeHello world")
        let completionSent = try #require(worker.calls(to: "/worker_generate").last)
        #expect(completionSent["prompt"]?.string == "Once upon a time")
        #expect(completionSent["echo"] == .bool(true))
        #expect(completionSent["max_new_tokens"]?.integer == 5)
        #expect(echoedAnswer["choices"]?.array?.first?["logprobs"] == .null, "not asked for")
        let withLogprobs = try Self.json(try await HTTP.post(gateway + "/v1/completions", json: #"{"model":"vicuna-7b","prompt":"Say hi","logprobs":1}"#))
        #expect(worker.calls(to: "/worker_generate").last?["logprobs"]?.integer == 1)
        let logprobs = try #require(withLogprobs["choices"]?.array?.first?["logprobs"])
        #expect(logprobs["tokens"] == .array([.string("Hello"), .string(" world")]))
        #expect(logprobs["token_logprobs"] == .array([.number(-0.5), .number(-0.25)]))
        #expect(logprobs["text_offset"] == .array([.number(0), .number(5)]))
        // Streamed, the tokens come with the finish chunk here: the worker sent them with its finish object.
        let logprobStream = try await HTTP.post(gateway + "/v1/completions", json: #"{"model":"vicuna-7b","prompt":"Say hi","logprobs":1,"stream":true}"#)
        let streamedTokens = try logprobStream.events.dropLast().flatMap { event -> [JSONValue] in
            try JSONValue(parsing: ByteBuffer(string: event))["choices"]?.array?.first?["logprobs"]?["tokens"]?.array ?? []
        }
        #expect(streamedTokens == [.string("Hello"), .string(" world")])
        let echoedStream = try await HTTP.post(gateway + "/v1/completions", json: completion + #","stream":true}"#)
        #expect(echoedStream.events.last == "[DONE]")
        let pieces = try echoedStream.events.dropLast().map { try JSONValue(parsing: ByteBuffer(string: $0)) }
        #expect(pieces.compactMap { $0["choices"]?.array?.first?["text"]?.string }.joined() == "Once upon a timeHello world")

        // Embeddings, in FastChat's batches of four, as floats and as base64.
        let inputs = ["a", "bb", "ccc", "dddd", "eeeee"]
        let inputList = #"["# + inputs.map { #""\#($0)""# }.joined(separator: ",") + "]"
        let floats = try await HTTP.post(gateway + "/v1/embeddings", json: #"{"model":"vicuna-7b","input":\#(inputList)}"#)
        #expect(floats.status == 200, "\(floats.text)")
        let list = try Self.json(floats)
        let vectors = try #require(list["data"]?.array)
        #expect(vectors.map { $0["index"]?.integer } == Array(0..<5))
        #expect(vectors.map { $0["embedding"]?.array?.compactMap(\.number) } == inputs.map { [Double($0.count), 0.5, -0.25] })
        #expect(list["usage"]?["prompt_tokens"]?.integer == 15)
        #expect(worker.calls(to: "/worker_get_embeddings").map { $0["input"]?.array?.count } == [4, 1])
        let encoded = try await HTTP.post(gateway + "/v1/embeddings", json: #"{"model":"vicuna-7b","input":\#(inputList),"encoding_format":"base64"}"#)
        #expect(encoded.status == 200, "\(encoded.text)")
        let decoded = try #require(try Self.json(encoded)["data"]?.array).map { item -> [Float] in
            let bytes = Data(base64Encoded: item["embedding"]?.string ?? "") ?? Data()
            return stride(from: 0, to: bytes.count, by: 4).map { offset in
                Float(bitPattern: bytes[offset..<offset + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            }
        }
        #expect(decoded == inputs.map { [Float($0.count), 0.5, -0.25] })
        #expect(process.isRunning)
    }

    @Test func workerErrorsAreRetriedOrBecomeOpenAIErrors() async throws {
        let failing = try await Worker.start(model: "shared") { _ in [Self.outOfMemory] }
        let healthy = try await Worker.start(model: "shared", script: Self.healthy)
        let lonely = try await Worker.start(model: "lonely") { _ in [Self.outOfMemory] }
        let midway = try await Worker.start(model: "midway") { _ in
            [Worker.object("Partial", completion: 1), #"{"text": "RuntimeError: device-side assert", "error_code": 50001}"#]
        }
        let (process, gateway) = try await Self.serve([failing, healthy, lonely, midway])
        let chat = gateway + "/v1/chat/completions"

        // 5. Out of memory before any text: the other worker answers, whole and streamed. Asked
        // until the failing worker has been tried (the routing policy picks the first worker).
        for path in ["/worker_generate", "/worker_generate_stream"] {
            let stream = path == "/worker_generate_stream"
            for _ in 0..<20 where failing.calls(to: path).isEmpty {
                let reply = try await HTTP.post(chat, json: Self.chat("shared", "Hi", extra: #","stream":\#(stream)"#))
                #expect(reply.status == 200, "\(reply.text)")
                let text = stream ? try reply.chunks().map(\.text).joined() : try reply.decode(ChatCompletion.self).choices.first?.message.content
                #expect(text == "Hello world")
            }
            #expect(!failing.calls(to: path).isEmpty, "the failing worker was tried")
        }

        // With no other worker the client hears the mapped status in OpenAI's shape.
        for stream in [false, true] {
            let reply = try await HTTP.post(chat, json: Self.chat("lonely", "Hi", extra: #","stream":\#(stream)"#))
            let error = try Self.openAIError(reply, status: 503)
            #expect(error["type"]?.string == "server_error")
            #expect(error["message"]?.string?.contains("CUDA out of memory") == true)
        }

        // An error after text: the text, an OpenAI error event, then [DONE]; whole, the mapped status.
        try Self.checkErrorAfterText(try await HTTP.post(chat, json: Self.chat("midway", "Hi", extra: #","stream":true"#)), text: "Partial")
        let internalError = try Self.openAIError(try await HTTP.post(chat, json: Self.chat("midway", "Hi")), status: 500)
        #expect(internalError["message"]?.string?.contains("device-side assert") == true)
        #expect(process.isRunning)
    }

    @Test func hostileWorkerOutputGetsABoundedAnswer() async throws {
        let healthy = try await Worker.start(model: "vicuna-7b", script: Self.healthy)
        let huge = try await Worker.start(model: "huge") { _ in
            [#"{"text": "Hi", "error_code": 0, "usage": {"prompt_tokens": 1e300, "completion_tokens": -7, "total_tokens": 1e308}, "finish_reason": "stop"}"#]
        }
        let garbage = try await Worker.start(model: "garbage") { _ in ["<html><body>502 Bad Gateway</body></html>"] }
        let lateGarbage = try await Worker.start(model: "late-garbage") { _ in [Worker.object("Partial", completion: 1), "{\"text\": \"Partial mo"] }
        let wrongTypes = try await Worker.start(model: "wrong-types") { _ in [#"{"text": 42, "error_code": "none", "finish_reason": {}}"#] }
        // One object longer than any the gateway reads, never NUL-terminated.
        let endless = try await Worker.start(model: "endless") { _ in [#"{"text": ""# + String(repeating: "a", count: 5 << 20)] }
        let (process, gateway) = try await Self.serve([healthy, huge, garbage, lateGarbage, wrongTypes, endless])
        let chat = gateway + "/v1/chat/completions"

        /// After each hostile answer the gateway still serves a well-behaved worker.
        func stillServing(sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let next = try await HTTP.post(chat, json: Self.chat("vicuna-7b", "Hi"))
            #expect(next.status == 200, sourceLocation: sourceLocation)
            #expect(process.isRunning, sourceLocation: sourceLocation)
        }

        // Absurd token counts are clamped, whole, summed over n, and in the usage chunk.
        let limit = 1 << 32
        let whole = try await HTTP.post(chat, json: Self.chat("huge", "Hi", extra: #","n":2"#))
        #expect(whole.status == 200, "\(whole.text)")
        #expect(try whole.decode(ChatCompletion.self).usage == Usage(promptTokens: 2 * limit, completionTokens: 0))
        let streamed = try await HTTP.post(chat, json: Self.chat("huge", "Hi", extra: #","stream":true,"stream_options":{"include_usage":true}"#))
        #expect(try streamed.chunks().last?.usage == Usage(promptTokens: limit, completionTokens: 0))
        try await stillServing()

        // Not FastChat's objects before any text: a 502 in OpenAI's shape.
        for model in ["garbage", "wrong-types", "endless"] {
            for stream in [false, true] {
                let reply = try await HTTP.post(chat, json: Self.chat(model, "Hi", extra: #","stream":\#(stream)"#))
                let error = try Self.openAIError(reply, status: 502)
                #expect(error["message"]?.string?.contains("<html>") == false, "the worker's bytes are not echoed")
                #expect(reply.body.readableBytes < 4096, "\(model)")
            }
            try await stillServing()
        }

        // Garbage after text: an error event and the end.
        try Self.checkErrorAfterText(try await HTTP.post(chat, json: Self.chat("late-garbage", "Hi", extra: #","stream":true"#)), text: "Partial")
        try await stillServing()
    }
}
