import NIOCore
import Testing

@testable import Backends

@Suite struct MaxTokensTests {
    func added(_ json: String) -> String {
        String(buffer: ByteBuffer(string: json).addingMaxTokens())
    }

    @Test func maxCompletionTokensAloneIsMirroredAsMaxTokens() {
        let request = #"{"model":"llama3.2","messages":[{"role":"user","content":"hi"}],"temperature":0.7,"max_completion_tokens":64}"#
        #expect(added(request) == #"{"max_tokens":64,"model":"llama3.2","messages":[{"role":"user","content":"hi"}],"temperature":0.7,"max_completion_tokens":64}"#)
        #expect(added("  {\n \"max_completion_tokens\": 8}") == "  {\"max_tokens\":8,\n \"max_completion_tokens\": 8}")
    }

    @Test func otherRequestsStayByteIdentical() {
        for request in [
            #"{"model":"m","messages":[],"max_tokens":10,"max_completion_tokens":64}"#,
            #"{"model":"m","messages":[],"max_tokens":null,"max_completion_tokens":64}"#,
            #"{"model":"m","messages":[{"role":"user","content":"what is max_completion_tokens?"}]}"#,
            #"{"model":"m", "temperature": 1.0000, "max_completion_tokens": null}"#,
            "not json, \"max_completion_tokens\"",
        ] {
            #expect(added(request) == request)
        }
    }
}
