import Testing
@testable import Worker

struct DataPlaneTests {
    @Test(arguments: ["http://up:8000", "http://up:8000/", "http://up:8000/v1", "http://up:8000/v1/"])
    func directRegistersTheServerWithoutV1(upstream: String) {
        #expect(DataPlane.direct(upstream: upstream) == .direct(backendAddress: "http://up:8000"))
    }

    @Test func vLLMLoadIsRunningPlusWaitingOverAllModels() {
        let text = """
            # HELP vllm:num_requests_running Number of requests in model execution batches.
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{engine="0",model_name="a b"} 3.0
            vllm:num_requests_running{engine="1",model_name="c"} 1.0
            vllm:num_requests_waiting{engine="0",model_name="a b"} 2.0 1700000000000
            vllm:num_requests_swapped{engine="0",model_name="a b"} 9.0
            vllm:num_requests_running_total 40
            """
        #expect(BackendLoad.queueLength(prometheus: text) == 6)
    }

    @Test func otherEnginesAndUnknownMetrics() {
        #expect(BackendLoad.queueLength(prometheus: "sglang:num_running_reqs{model_name=\"m\"} 4\nsglang:num_queue_reqs{model_name=\"m\"} 1\n") == 5)
        #expect(BackendLoad.queueLength(prometheus: "llamacpp:requests_processing 2\nllamacpp:requests_deferred 0\n") == 2)
        #expect(BackendLoad.queueLength(prometheus: "process_cpu_seconds_total 12\n") == nil)
        #expect(BackendLoad.queueLength(prometheus: "") == nil)
    }
}
