import Foundation
import Testing

/// Every listener's connection limits against a real controller, with raw sockets: idle and
/// half-open sockets, a header or body trickled byte by byte, more connections than allowed,
/// and a huge body announced with `Expect: 100-continue`.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ConnectionLimitTests {
    static func startController(_ extra: [String]) async throws -> (SwitchyardProcess, String) {
        let process = try SwitchyardProcess("controller", ["controller", "--no-gateway", "--port", "0"] + extra)
        return (process, try await process.url(of: "controller"))
    }

    @Test func idleHalfOpenAndTrickledConnectionsAreClosed() async throws {
        let (process, controller) = try await Self.startController(["--idle-timeout", "1", "--request-timeout", "2"])

        // Connected, nothing sent: closed after the idle timeout.
        let silent = try RawConnection(url: controller)
        #expect(try await silent.readUntilClosed().closed)

        // A request head trickled a header every 200 ms never completes: closed.
        let slowHead = try RawConnection(url: controller)
        slowHead.send("GET /test_connection HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        var headLines = 0
        while headLines < 300, slowHead.poll() != .closed, slowHead.send("X-Slow-\(headLines): a\r\n") {
            headLines += 1
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(headLines < 300, "a trickled head must be cut off")
        #expect(try await slowHead.readUntilClosed().closed)

        // A body trickled a byte every 200 ms (each byte is activity, so only the request deadline stops it).
        let slowBody = try RawConnection(url: controller)
        slowBody.send("POST /register_worker HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        var bodyBytes = 0
        while bodyBytes < 300, slowBody.poll() != .closed, slowBody.send(" ") {
            bodyBytes += 1
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(bodyBytes < 300, "a trickled body must be cut off")

        // Whoever behaves is served as before.
        #expect(try await HTTP.get(controller + "/test_connection").status == 200)
        #expect(process.isRunning)
    }

    @Test func connectionsPastTheCapAreRefusedAndServiceResumes() async throws {
        let (process, controller) = try await Self.startController(["--max-connections", "4"])
        var held = try (0..<4).map { _ in try RawConnection(url: controller) }
        // The server accepts in order: the first four take every place, whatever arrives next is refused.
        let extra = try RawConnection(url: controller)
        extra.send("GET /test_connection HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let refusal = try await extra.readUntilClosed(timeout: .seconds(30))
        #expect(refusal.closed)
        if !refusal.text.isEmpty {
            #expect(refusal.text.hasPrefix("HTTP/1.1 503"), "\(refusal.text)")
            #expect(refusal.text.contains("too_many_connections"))
        }
        // The held connections still work.
        held[0].send("GET /test_connection HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(try await held[0].read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 200"))

        // Once they close, new connections are served again.
        held.removeAll()
        try await eventually("a place is free again") {
            try await HTTP.get(controller + "/test_connection", client: HTTP.failingFast).status == 200
        }
        #expect(process.isRunning)
    }

    @Test func refusedRequestHeadsGetAnOpenAIErrorAndTheServerGoesOn() async throws {
        let (process, controller) = try await Self.startController([])
        let heads = [
            ("GET /test_connection HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: \(String(repeating: "x", count: 20_000))\r\n\r\n", "431", "request_header_fields_too_large"),
            ("GET /test_connection HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (0..<300).map { "X-\($0): a\r\n" }.joined() + "\r\n", "431", "request_header_fields_too_large"),
            ("GET /\u{0}\u{1} HTTP/1.1\r\n\r\n", "400", "invalid_http"),
            ("NOT HTTP AT ALL\r\n\r\n", "400", "invalid_http"),
        ]
        for (head, status, code) in heads {
            let connection = try RawConnection(url: controller)
            connection.send(head)
            let (answer, closed) = try await connection.readUntilClosed(timeout: .seconds(20))
            #expect(answer.hasPrefix("HTTP/1.1 \(status)"), "\(answer.prefix(200))")
            #expect(answer.contains(#""code":"\#(code)""#), "\(answer.prefix(400))")
            #expect(answer.lowercased().contains("content-type: application/json"))
            #expect(closed)
        }
        #expect(try await HTTP.get(controller + "/test_connection").status == 200)
        #expect(process.isRunning)
    }

    @Test func anOversizedBodyAnnouncedWithExpectIsRefusedBeforeItIsSent() async throws {
        let (process, controller) = try await Self.startController([])
        let huge = try RawConnection(url: controller)
        huge.send(
            "POST /register_worker HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1073741824\r\nExpect: 100-continue\r\n\r\n"
        )
        let answer = try await huge.readUntilClosed(timeout: .seconds(30))
        #expect(answer.text.hasPrefix("HTTP/1.1 413"), "\(answer.text)")
        #expect(!answer.text.contains("100 Continue"))
        #expect(answer.text.contains("request_too_large"))
        #expect(answer.closed)

        // Without Expect, the same length is refused at the head too; the body sent anyway is dropped.
        let eager = try RawConnection(url: controller)
        eager.send("POST /register_worker HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n")
        eager.send(String(repeating: "x", count: 64 << 10))
        #expect(try await eager.read(until: "request_too_large").hasPrefix("HTTP/1.1 413"))

        // A body within the limit is invited with 100 Continue, then read and answered (an empty registration: 400).
        let small = try RawConnection(url: controller)
        small.send("POST /register_worker HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        #expect(try await small.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 100 Continue"))
        small.send("{}")
        let served = try await small.read(until: "\"error\"")
        #expect(served.hasPrefix("HTTP/1.1 400"), "\(served)")
        #expect(process.isRunning)
    }

    @Test func streamsOutlastingTheIdleTimeoutAreNotCut() async throws {
        let process = try SwitchyardProcess(
            "up",
            ["up", "--port", "0", "--controller-port", "0", "--workers", "1", "--no-arena", "--idle-timeout", "1",
             "--sim-ttft", "0", "--sim-tokens-per-second", "2", "--sim-output-tokens", "6"]
        )
        let gateway = try await process.url(of: "gateway")
        try await eventually("the gateway serves the model") { try await HTTP.get(gateway + "/v1/models").text.contains("switchyard-sim") }
        // About three seconds of tokens, with the idle timeout at one.
        let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "switchyard-sim", stream: true))
        #expect(reply.status == 200)
        #expect(reply.events.last == "[DONE]")
        #expect(try reply.chunks().count >= 6)
        #expect(process.isRunning)
    }
}
