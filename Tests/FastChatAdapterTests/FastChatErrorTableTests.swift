import FastChatAdapter
import Testing

@Suite struct FastChatErrorTableTests {
    /// Every row of the table, as the report lists it: code → status, type, code, retry.
    @Test(arguments: [
        (40001, 400, "invalid_value", false), (40101, 401, "invalid_api_key", false), (40102, 401, "invalid_api_key", false),
        (40103, 403, "permission_denied", false), (40301, 404, "model_not_found", true), (40302, 400, "invalid_value", false),
        (40303, 400, "context_length_exceeded", false), (42901, 429, "rate_limit_exceeded", true), (42902, 429, "insufficient_quota", false),
        (42903, 503, nil, true), (50001, 500, nil, true), (50002, 503, nil, true), (50003, 502, nil, true), (50004, 502, nil, true),
        (50005, 503, nil, true), (50006, 504, nil, true), (12345, 502, nil, true),
    ] as [(Int, Int, String?, Bool)])
    func eachCodeHasItsStatus(code: Int, status: Int, openAICode: String?, retryable: Bool) {
        let (error, retry) = FastChatErrorTable.standard.error(code: code, text: "worker said so")
        #expect(error.status.code == status)
        #expect(error.code == openAICode)
        #expect(error.type == (status >= 500 ? "server_error" : error.type))
        #expect(error.message == "worker said so")
        #expect(retry == retryable)
    }

    @Test func everyFastChatCodeHasARow() {
        #expect(Set(FastChatErrorTable.standard.rows.map(\.code)) == Set(FastChatErrorCode.allCases))
    }
}
