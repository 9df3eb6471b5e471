import Foundation
import NIOCore
import SwitchyardCore
import Testing

@Suite struct WireFormatTests {
    func json(_ value: some Encodable) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as! [String: Any]
    }

    @Test func registrationUsesFastChatKeysAndExplicitNull() throws {
        let object = try json(FastChat.RegisterWorker(workerName: "http://w:1", workerStatus: nil))
        #expect(object["worker_name"] as? String == "http://w:1")
        #expect(object["check_heart_beat"] as? Bool == true)
        #expect(object["worker_status"] is NSNull)
    }

    @Test func decodesWhatAFastChatWorkerSends() throws {
        let body = #"{"worker_name": "http://localhost:21002", "check_heart_beat": true, "worker_status": {"model_names": ["vicuna-7b"], "speed": 1, "queue_length": 0}, "multimodal": false}"#
        let registration = try JSONDecoder().decode(FastChat.RegisterWorker.self, from: Data(body.utf8))
        #expect(registration.workerStatus?.modelNames == ["vicuna-7b"])
        #expect(registration.workerStatus?.state == nil)
        let beat = try JSONDecoder().decode(FastChat.HeartBeat.self, from: Data(#"{"worker_name": "x", "queue_length": 2}"#.utf8))
        #expect(beat == FastChat.HeartBeat(workerName: "x", queueLength: 2))
    }

    @Test func statusCarriesSwitchyardExtensions() throws {
        let object = try json(WorkerStatus(modelNames: ["m"], queueLength: 2, api: "openai", limitConcurrency: 8, state: .draining))
        #expect(object["model_names"] as? [String] == ["m"])
        #expect(object["queue_length"] as? Int == 2)
        #expect(object["limit_concurrency"] as? Int == 8)
        #expect(object["state"] as? String == "draining")
        #expect(object["api"] as? String == "openai")
    }

    @Test(arguments: [
        RegistryEvent.snapshot(controllerID: "c", workers: [WorkerRecord(address: "http://a", models: ["m"], queueLength: 1)]),
        .upsert(WorkerRecord(address: "http://b", models: ["x", "y"], state: .draining, limitConcurrency: 3)),
        .remove(address: "http://c"),
    ])
    func registryEventsRoundTrip(event: RegistryEvent) throws {
        let data = try JSONEncoder().encode(event)
        #expect(try JSONDecoder().decode(RegistryEvent.self, from: data) == event)
    }

    @Test func openAIErrorHasAllFourKeys() throws {
        let body = OpenAIError.modelNotFound("gpt-x").jsonBody()
        let object = try JSONSerialization.jsonObject(with: Data(body)) as! [String: [String: Any]]
        let error = try #require(object["error"])
        #expect(error["message"] as? String == "The model `gpt-x` does not exist or you do not have access to it.")
        #expect(error["type"] as? String == "invalid_request_error")
        #expect(error["param"] as? String == "model")
        #expect(error["code"] as? String == "model_not_found")
        let server = try JSONSerialization.jsonObject(with: Data(OpenAIError.badGateway("x").jsonBody())) as! [String: [String: Any]]
        #expect(server["error"]?["type"] as? String == "server_error")
        #expect(server["error"]?["code"] is NSNull)
        #expect(server["error"]?["param"] is NSNull)
    }

    @Test func sseParserHandlesAnySplit() {
        let stream = "data: {\"a\":1}\n\n: keep-alive\n\ndata: two\r\ndata: lines\r\n\r\ndata: [DONE]\n\n"
        let bytes = Array(stream.utf8)
        for split in 1..<bytes.count {
            var parser = ServerSentEventParser()
            let events = parser.feed(ByteBuffer(bytes: bytes[..<split])) + parser.feed(ByteBuffer(bytes: bytes[split...]))
            #expect(events.map { String(decoding: $0, as: UTF8.self) } == ["{\"a\":1}", "two\nlines", "[DONE]"])
        }
    }
}
