import Backends
import Testing

@Suite struct ProcessBackendTests {
    @Test func substitutesThePortEverywhere() {
        #expect(
            ProcessBackend.substitutingPort(8123, in: "llama-server -m m.gguf --port {port} --alias x{port}")
                == "llama-server -m m.gguf --port 8123 --alias x8123"
        )
        #expect(ProcessBackend.substitutingPort(1, in: "http://127.0.0.1:{port}") == "http://127.0.0.1:1")
    }

    @Test func picksAnUsableLoopbackPort() throws {
        let port = try ProcessBackend.freeLoopbackPort()
        #expect((1...65535).contains(port))
    }
}
