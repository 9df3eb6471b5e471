import Foundation
import NIOCore
import SwitchyardCore
import Testing

@Suite struct HeartBeatParsingTests {
    static let valid = [
        #"{"worker_name":"http://127.0.0.1:21002","queue_length":0}"#,
        #"{"worker_name":"http://w:1","queue_length":3,"state":"draining"}"#,
        #"{"worker_name":"http://w:1","queue_length":1,"state":null,"activity":null,"extra":[1,2]}"#,
        #"{"activity":{"running":2,"requests_last_minute":40,"errors_last_minute":1},"queue_length":2,"state":"ready","worker_name":"http://w:1"}"#,
    ]

    @Test(arguments: valid)
    func readsWhatTheDecoderReads(_ json: String) throws {
        let parsed = try FastChat.HeartBeat(parsing: ByteBuffer(string: json))
        #expect(parsed == (try JSONDecoder().decode(FastChat.HeartBeat.self, from: Data(json.utf8))))
    }

    @Test(arguments: [
        #"{"queue_length":0}"#,
        #"{"worker_name":"http://w:1"}"#,
        #"{"worker_name":7,"queue_length":0}"#,
        #"{"worker_name":"http://w:1","queue_length":1.5}"#,
        #"{"worker_name":"http://w:1","queue_length":0,"state":"sleeping"}"#,
        #"{"worker_name":"http://w:1","queue_length":0,"activity":{"running":1}}"#,
        #"[1]"#,
        #"{"worker_name":"#,
    ])
    func refusesWhatTheDecoderRefusesWithA400(_ json: String) {
        #expect(throws: (any Error).self) { try JSONDecoder().decode(FastChat.HeartBeat.self, from: Data(json.utf8)) }
        #expect {
            try FastChat.HeartBeat(parsing: ByteBuffer(string: json))
        } throws: { error in
            (error as? OpenAIError)?.status == .badRequest
        }
    }
}
