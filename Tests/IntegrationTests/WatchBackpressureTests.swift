import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// A watch-stream client that stops reading must cost the controller a bounded buffer and then
/// its connection, while the other watchers keep getting every change.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct WatchBackpressureTests {
    static func registration(_ address: String, models: [String]) -> String {
        let names = models.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"worker_name":"\#(address)","check_heart_beat":false,"worker_status":{"model_names":[\#(names)],"speed":1,"queue_length":0}}"#
    }

    @Test func aWatcherThatStopsReadingIsDroppedWhileAnotherKeepsUp() async throws {
        let process = try SwitchyardProcess("controller", ["controller", "--no-gateway", "--port", "0", "--write-timeout", "1"])
        let controller = try await process.url(of: "controller")

        // Subscribes with a tiny receive window, then never reads.
        let stalled = try RawConnection(url: controller, receiveBuffer: 4096)
        stalled.send("GET /api/v1/workers/watch HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")

        // Reads everything; should a loaded machine let it lag past the write timeout too, it
        // watches again from a fresh snapshot, as the gateway's feed does.
        let sawFinal = Locked(false)
        let live = Task {
            while !Task.isCancelled {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: controller + "/api/v1/workers/watch"), timeout: .seconds(120))
                var recent = ""
                for try await buffer in response.body {
                    recent = String((recent + String(buffer: buffer)).suffix(16 << 10))
                    if recent.contains("http://127.0.0.1:1/final") {
                        sawFinal.withLock { $0 = true }
                        return
                    }
                }
            }
        }

        // Churn: every registration is a change of ~16 KB sent to every watcher; 600 of them are
        // more than twice what the stalled watcher's socket buffers can hold (a loopback send
        // buffer grows to 4 MB), so its writes stop for good.
        let models = (0..<64).map { index in "model-\(index)-" + String(repeating: "m", count: 230) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<4 {
                group.addTask {
                    for round in 0..<150 {
                        let address = "http://127.0.0.1:\(20_000 + lane * 100 + round % 25)"
                        let reply = try await HTTP.post(controller + "/register_worker", json: Self.registration(address, models: models))
                        #expect(reply.status == 200, "\(reply.text)")
                    }
                }
            }
            try await group.waitForAll()
        }
        _ = try await HTTP.post(controller + "/register_worker", json: Self.registration("http://127.0.0.1:1/final", models: ["final"]))

        // The reading watcher got the last change.
        try await eventually(timeout: .seconds(60), "the live watcher sees the last registration") { sawFinal.withLock { $0 } }
        live.cancel()

        // The stalled one was cut off: what it holds ends, then the connection closes.
        let stalledEnd = try await stalled.readUntilClosed(timeout: .seconds(120))
        #expect(stalledEnd.closed, "the stalled watcher must be closed")
        #expect(stalledEnd.text.hasPrefix("HTTP/1.1 200"))

        // The controller is healthy and serves new watchers from a fresh snapshot.
        #expect(try await HTTP.get(controller + "/test_connection").status == 200)
        let again = try RawConnection(url: controller)
        again.send("GET /api/v1/workers/watch HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        #expect(try await again.read(until: "http://127.0.0.1:1/final").contains("\"snapshot\""))
        #expect(process.isRunning)
    }
}
