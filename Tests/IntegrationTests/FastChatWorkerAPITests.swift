import Foundation
import NIOCore
import SwitchyardCore
import Testing

/// A real `switchyard worker` answering FastChat's worker API, as FastChat's `openai_api_server`
/// and web UI call it.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct FastChatWorkerAPITests {
    /// The NUL-terminated JSON objects of a `/worker_generate_stream` answer.
    static func chunks(_ reply: HTTP.Reply) throws -> [[String: Any]] {
        let pieces = reply.body.readableBytesView.split(separator: 0, omittingEmptySubsequences: true)
        #expect(reply.body.readableBytesView.last == 0, "every object is NUL-terminated")
        return try pieces.map { piece in
            try #require(try JSONSerialization.jsonObject(with: Data(piece)) as? [String: Any])
        }
    }

    static func object(_ reply: HTTP.Reply) throws -> [String: Any] {
        try #require(try reply.json() as? [String: Any])
    }

    static func errorCode(_ reply: HTTP.Reply) throws -> Int? {
        let text = reply.text.hasSuffix("\0") ? String(reply.text.dropLast()) : reply.text
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return object["error_code"] as? Int
    }

    /// Checks FastChat's stream contract and returns the last chunk.
    static func checkStream(_ reply: HTTP.Reply) throws -> [String: Any] {
        #expect(reply.status == 200)
        let chunks = try chunks(reply)
        #expect(chunks.count >= 2)
        var previous = ""
        for (index, chunk) in chunks.enumerated() {
            let text = try #require(chunk["text"] as? String)
            #expect(text.hasPrefix(previous), "text is cumulative")
            previous = text
            #expect(chunk["error_code"] as? Int == 0)
            let usage = try #require(chunk["usage"] as? [String: Any])
            #expect(usage["completion_tokens"] as? Int != nil && usage["prompt_tokens"] as? Int != nil)
            if index < chunks.count - 1 {
                #expect(chunk["finish_reason"] is NSNull)
            }
        }
        let last = try #require(chunks.last)
        #expect(["stop", "length"].contains(last["finish_reason"] as? String))
        return last
    }

    @Test func simulatorWorkerAnswersEveryFastChatEndpoint() async throws {
        let controllerProcess = try CoreLoopTests.startController(gateway: false)
        let controller = try await controllerProcess.url(of: "controller")
        let workerProcess = try CoreLoopTests.startWorker(controller: controller, extra: ["--conv-template", "vicuna_v1.1", "--sim-output-tokens", "6"])
        let worker = try await workerProcess.url(of: "worker")

        let conv = try #require(try Self.object(try await HTTP.post(worker + "/worker_get_conv_template", json: #"{"model":"sim-model"}"#))["conv"] as? [String: Any])
        #expect(conv["name"] as? String == "vicuna_v1.1")
        #expect(conv["sep_style"] as? Int == 2)
        #expect(conv["roles"] as? [String] == ["USER", "ASSISTANT"])
        #expect(conv["sep2"] as? String == "</s>")

        #expect(try Self.object(try await HTTP.post(worker + "/model_details", json: "{}"))["context_length"] as? Int == 2048)
        let count = try Self.object(try await HTTP.post(worker + "/count_token", json: #"{"prompt":"one two three"}"#))
        #expect(count["count"] as? Int == 3)
        #expect(count["error_code"] as? Int == 0)

        let prompt = "A chat. USER: tell me a story ASSISTANT:"
        let params = #"{"model":"sim-model","prompt":"\#(prompt)","temperature":0.7,"max_new_tokens":4,"echo":false,"stop":["</s>"]}"#
        let streamed = try await HTTP.post(worker + "/worker_generate_stream", json: params)
        let last = try Self.checkStream(streamed)
        let lastText = try #require(last["text"] as? String)
        #expect(!lastText.isEmpty && !lastText.hasPrefix(prompt))
        #expect(last["finish_reason"] as? String == "length")
        #expect((last["usage"] as? [String: Any])?["completion_tokens"] as? Int == 4)

        // /worker_generate answers with the last chunk alone.
        let whole = try await HTTP.post(worker + "/worker_generate", json: params)
        #expect(whole.status == 200)
        let answer = try Self.object(whole)
        #expect(answer["text"] as? String == lastText)
        #expect(answer["finish_reason"] as? String == "length")

        // FastChat's default is to echo the prompt.
        let echoed = try Self.checkStream(try await HTTP.post(worker + "/worker_generate_stream", json: #"{"prompt":"\#(prompt)","max_new_tokens":2}"#))
        #expect((echoed["text"] as? String)?.hasPrefix(prompt) == true)

        // A stop string beyond the four a backend takes is still honoured here.
        let stopped = try Self.checkStream(try await HTTP.post(
            worker + "/worker_generate_stream",
            json: #"{"prompt":"alpha beta gamma","max_new_tokens":6,"echo":false,"stop":["x1","x2","x3","x4","gamma"]}"#
        ))
        #expect((stopped["text"] as? String)?.contains("gamma") == false)
        #expect(stopped["finish_reason"] as? String == "stop")

        let embeddings = try Self.object(try await HTTP.post(worker + "/worker_get_embeddings", json: #"{"model":"sim-model","input":["a b","c"]}"#))
        let vectors = try #require(embeddings["embedding"] as? [[Double]])
        #expect(vectors.count == 2 && !vectors[0].isEmpty)
        #expect((embeddings["token_num"] as? Int ?? 0) > 0)
        let encoded = try Self.object(try await HTTP.post(worker + "/worker_get_embeddings", json: #"{"input":["a b","c"],"encoding_format":"base64"}"#))
        let strings = try #require(encoded["embedding"] as? [String])
        #expect(strings.map { Data(base64Encoded: $0)?.count } == vectors.map { $0.count * 4 })
    }

    @Test func hostileParametersGetFastChatErrorCodes() async throws {
        let controllerProcess = try CoreLoopTests.startController(gateway: false)
        let controller = try await controllerProcess.url(of: "controller")
        let workerProcess = try CoreLoopTests.startWorker(controller: controller, extra: ["--sim-output-tokens", "4"])
        let worker = try await workerProcess.url(of: "worker")

        for route in ["/worker_generate_stream", "/worker_generate"] {
            for (params, code) in [
                (#"{"prompt":"x","max_new_tokens":-1}"#, 40302),
                (#"{"prompt":"x","max_new_tokens":1e12}"#, 40302),
                (#"{"prompt":"x","temperature":"abc"}"#, 40001),
                (#"{"prompt":"x","temperature":NaN}"#, 40001),
                (#"{"prompt":"x","top_k":0}"#, 40302),
                (#"{"max_new_tokens":4}"#, 40001),
                ("not json", 40001),
            ] {
                let reply = try await HTTP.post(worker + route, json: params)
                #expect(reply.status == 400, "\(route) \(params)")
                #expect(try Self.errorCode(reply) == code, "\(route) \(params)")
                #expect(reply.text.hasSuffix("\0") == (route == "/worker_generate_stream"))
            }
        }
        // A 10 MB prompt is served; a body past the limit is refused in FastChat's shape.
        let big = String(repeating: "word ", count: 2 << 20)
        let served = try await HTTP.post(worker + "/worker_generate", json: #"{"prompt":"\#(big)","max_new_tokens":3,"echo":false}"#)
        #expect(served.status == 200)
        #expect(try Self.object(served)["error_code"] as? Int == 0)
        let tooBig = try await HTTP.post(worker + "/worker_generate", json: #"{"prompt":"\#(big)\#(big)","max_new_tokens":3}"#)
        #expect(tooBig.status == 400)
        #expect(try Self.errorCode(tooBig) == 40302)
        // The worker is still well.
        #expect(try await HTTP.post(worker + "/worker_generate", json: #"{"prompt":"still here","max_new_tokens":2}"#).status == 200)
    }

    @Test func clientLeavingMidStreamFreesTheSlot() async throws {
        let controllerProcess = try CoreLoopTests.startController(gateway: false)
        let controller = try await controllerProcess.url(of: "controller")
        let workerProcess = try CoreLoopTests.startWorker(
            controller: controller, extra: ["--limit-concurrency", "1", "--sim-output-tokens", "2000", "--sim-tokens-per-second", "50"]
        )
        let worker = try await workerProcess.url(of: "worker")
        let body = #"{"prompt":"slow story","max_new_tokens":2000,"echo":false}"#
        do {
            let connection = try RawConnection(url: worker)
            connection.send("POST /worker_generate_stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            let head = try await connection.read(until: "\0")
            #expect(head.contains("\"text\""))
            let status = try Self.object(try await HTTP.post(worker + "/worker_get_status", json: "{}"))
            #expect(status["queue_length"] as? Int == 1)
            #expect(connection.poll() != .closed, "the stream is still going when the client leaves")
        }
        // With its only slot freed, the worker serves the next request.
        try await eventually("the slot is released") {
            try Self.object(try await HTTP.post(worker + "/worker_get_status", json: "{}"))["queue_length"] as? Int == 0
        }
        let next = try await HTTP.post(worker + "/worker_generate", json: #"{"prompt":"next","max_new_tokens":2}"#)
        #expect(next.status == 200)
    }

    @Test func openAIBackendInFrontOfARealUpstream() async throws {
        let controllerProcess = try CoreLoopTests.startController(gateway: false)
        let controller = try await controllerProcess.url(of: "controller")
        let upstreamProcess = try CoreLoopTests.startWorker(controller: controller, model: "upstream-model", extra: ["--sim-output-tokens", "5"], name: "upstream")
        let upstream = try await upstreamProcess.url(of: "worker")
        let proxyProcess = try CoreLoopTests.startWorker(
            controller: controller, model: "fastchat-model",
            extra: ["--backend", "openai", "--upstream", upstream, "--upstream-model", "upstream-model", "--conv-template", "qwen-7b-chat", "--context-length", "4096"],
            name: "proxy"
        )
        let proxy = try await proxyProcess.url(of: "worker")

        let conv = try #require(try Self.object(try await HTTP.post(proxy + "/worker_get_conv_template", json: "{}"))["conv"] as? [String: Any])
        #expect(conv["name"] as? String == "qwen-7b-chat")
        #expect(conv["sep_style"] as? Int == 9, "CHATML in fschat 0.2.36's numbering")
        #expect(try Self.object(try await HTTP.post(proxy + "/model_details", json: "{}"))["context_length"] as? Int == 4096)
        // The upstream has no tokenizer endpoint: an estimate, never an error.
        let count = try Self.object(try await HTTP.post(proxy + "/count_token", json: #"{"prompt":"twelve bytes"}"#))
        #expect(count["count"] as? Int == 3)

        let params = #"{"model":"fastchat-model","prompt":"<|im_start|>user\nhello there<|im_end|>\n<|im_start|>assistant\n","max_new_tokens":8,"echo":false,"stop_token_ids":[2]}"#
        let last = try Self.checkStream(try await HTTP.post(proxy + "/worker_generate_stream", json: params))
        #expect((last["text"] as? String)?.isEmpty == false)
        let whole = try Self.object(try await HTTP.post(proxy + "/worker_generate", json: params))
        #expect(whole["text"] as? String == last["text"] as? String)
        let embeddings = try Self.object(try await HTTP.post(proxy + "/worker_get_embeddings", json: #"{"input":["relayed"]}"#))
        #expect((embeddings["embedding"] as? [[Double]])?.count == 1)

        // The upstream gone: a FastChat internal error, not a hang or an empty answer.
        upstreamProcess.signal(SIGKILL)
        _ = try await upstreamProcess.exitStatus()
        let broken = try await HTTP.post(proxy + "/worker_generate_stream", json: params)
        #expect(broken.status == 500)
        #expect(try Self.errorCode(broken) == 50001)
        let brokenWhole = try await HTTP.post(proxy + "/worker_generate", json: params)
        #expect(brokenWhole.status == 500)
        #expect(try Self.errorCode(brokenWhole) == 50001)
    }
}
