import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import Testing

@Suite struct BrowserRequestGuardTests {
    let loopback = BrowserRequestGuard(loopback: true)
    let exposed = BrowserRequestGuard(loopback: false)

    func post(host: String? = "127.0.0.1:21001", origin: String? = nil, type: String? = "application/json", body: Bool = true) -> BrowserRequestGuard.Request {
        .init(method: .post, hosts: host.map { [$0] } ?? [], origins: origin.map { [$0] } ?? [], contentTypes: type.map { [$0] } ?? [], hasBody: body)
    }

    @Test func jsonWithAnyParametersInAnyCasePasses() {
        for type in ["application/json", "Application/JSON", "application/json; charset=utf-8", "application/json;charset=UTF-8", " application/json ; foo=bar"] {
            #expect(loopback.refusal(of: post(type: type)) == nil, "\(type)")
            #expect(exposed.refusal(of: post(type: type)) == nil, "\(type)")
        }
    }

    @Test func everyOtherTypeOfABodyIsRefused() {
        // What a cross-site form or fetch sends without a preflight, and near misses.
        for type in [
            "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
            "application/jsonx", "application/json-patch+json", "application/ld+json", "application/json, text/plain",
            "text/plain; application/json", "json", "", "application/ json",
        ] {
            #expect(loopback.refusal(of: post(type: type)) == .unsupportedMediaType, "\(type)")
            #expect(exposed.refusal(of: post(type: type)) == .unsupportedMediaType, "\(type)")
        }
        #expect(loopback.refusal(of: post(type: nil)) == .unsupportedMediaType)
        // A second, plain type beside the JSON one.
        var twoTypes = post()
        twoTypes.contentTypes = ["application/json", "text/plain"]
        #expect(loopback.refusal(of: twoTypes) == .unsupportedMediaType)
    }

    @Test func everyStateChangingMethodNeedsJSON() {
        for method in [HTTPRequest.Method.post, .put, .patch, .delete] {
            let request = BrowserRequestGuard.Request(method: method, hosts: ["localhost"], contentTypes: ["text/plain"])
            #expect(loopback.refusal(of: request) == .unsupportedMediaType, "\(method)")
        }
        for method in [HTTPRequest.Method.get, .head, .options] {
            let request = BrowserRequestGuard.Request(method: method, hosts: ["localhost"], contentTypes: ["text/plain"])
            #expect(loopback.refusal(of: request) == nil, "\(method)")
        }
    }

    /// FastChat's clients post `/refresh_all_workers` and `/list_models` with no body (aiohttp, as
    /// FastChat's openai_api_server uses it, labels it `application/octet-stream`); a browser always
    /// adds `Origin` to a POST, so a bare one with an origin is still refused, whatever its type.
    @Test func aBarePostPassesOnlyWithoutOrigin() {
        #expect(loopback.refusal(of: post(type: nil, body: false)) == nil)
        #expect(exposed.refusal(of: post(host: "10.0.0.5:21001", type: nil, body: false)) == nil)
        #expect(loopback.refusal(of: post(origin: "http://localhost:8000", type: nil, body: false)) == .unsupportedMediaType)
        #expect(exposed.refusal(of: post(host: "10.0.0.5:21001", origin: "http://10.0.0.5:21001", type: nil, body: false)) == .unsupportedMediaType)
        #expect(loopback.refusal(of: post(type: "application/octet-stream", body: false)) == nil)
        #expect(loopback.refusal(of: post(origin: "http://localhost:8000", type: "text/plain", body: false)) == .unsupportedMediaType)
        #expect(loopback.refusal(of: post(type: "text/plain", body: true)) == .unsupportedMediaType)
    }

    @Test func loopbackHostsPass() {
        for host in [
            "localhost", "LOCALHOST:8000", "localhost:21001", "switchyard.localhost", "127.0.0.1", "127.0.0.1:8000", "127.255.3.4:1",
            "[::1]", "[::1]:21001",
        ] {
            #expect(loopback.refusal(of: post(host: host)) == nil, "\(host)")
        }
        // HTTP/1.0 clients may send no Host; a browser always does.
        #expect(loopback.refusal(of: post(host: nil)) == nil)
    }

    /// The names a DNS rebinding page's requests carry, and look-alikes of loopback.
    @Test func foreignHostsAreRefusedOnLoopback() {
        for host in [
            "evil.example", "evil.example:21001", "127.0.0.1.evil.example", "127.0.0.1.evil.example:8000", "localhost.evil.example",
            "localhost.", "evil.localhost.example", "0.0.0.0", "0.0.0.0:21001", "128.0.0.1", "10.0.0.1", "127.1", "127.0.0.1.", "127.0.0.256",
            "127.0.0.01234", "[::2]", "[::1].evil", "[::ffff:7f00:1]:80", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:80x", "127.0.0.1:-1",
            "evil@127.0.0.1", "", ":8000", "[::1", "127.0.0.1 ", "127.0.0.1\u{0}",
        ] {
            #expect(loopback.refusal(of: post(host: host)) == .foreignHost, "\(host)")
            #expect(loopback.refusal(of: .init(method: .get, hosts: [host])) == .foreignHost, "GET \(host)")
        }
        // A second Host header is refused unless it too is loopback.
        #expect(loopback.refusal(of: .init(method: .get, hosts: ["127.0.0.1", "evil.example"])) == .foreignHost)
        // Beyond loopback the Host is the operator's business (proxies, names).
        #expect(exposed.refusal(of: post(host: "evil.example")) == nil)
    }

    @Test func loopbackDaemonsTakeOnlyLoopbackOrigins() {
        for origin in ["http://localhost:8000", "http://127.0.0.1:8000", "https://localhost", "http://[::1]:8000", "HTTP://LOCALHOST:3000"] {
            #expect(loopback.refusal(of: post(origin: origin)) == nil, "\(origin)")
        }
        for origin in [
            "null", "NULL", "http://evil.example", "https://127.0.0.1.evil.example", "http://localhost.evil.example:8000", "file://",
            "chrome-extension://abcdef", "http://localhost:8000/path", "http://user@localhost", "localhost", "", "http://",
        ] {
            #expect(loopback.refusal(of: post(origin: origin)) == .foreignOrigin, "\(origin)")
            // Reads too: a rebinding page could not pass the Host check, a cross-site one gets nothing.
            #expect(loopback.refusal(of: .init(method: .get, hosts: ["localhost"], origins: [origin])) == .foreignOrigin, "GET \(origin)")
        }
        // The host is checked before the origin, the origin before the type.
        #expect(loopback.refusal(of: post(host: "evil.example", origin: "null", type: "text/plain")) == .foreignHost)
        #expect(loopback.refusal(of: post(origin: "null", type: "text/plain")) == .foreignOrigin)
    }

    @Test func publicDaemonsTakeStateChangesOnlyFromTheirOwnOrigin() {
        let host = "switchyard.example:8000"
        #expect(exposed.refusal(of: post(host: host, origin: "http://switchyard.example:8000")) == nil)
        #expect(exposed.refusal(of: post(host: "switchyard.example", origin: "https://SWITCHYARD.example")) == nil)
        #expect(exposed.refusal(of: post(host: "switchyard.example:443", origin: "https://switchyard.example")) == nil)
        #expect(exposed.refusal(of: post(host: "switchyard.example", origin: "http://switchyard.example:80")) == nil)
        for origin in [
            "null", "http://evil.example", "http://switchyard.example", "http://switchyard.example:8001", "https://switchyard.example:8000.evil",
            "http://switchyard.example.evil:8000", "http://evil.example/switchyard.example:8000",
        ] {
            #expect(exposed.refusal(of: post(host: host, origin: origin)) == .foreignOrigin, "\(origin)")
        }
        // Reads from other origins pass: without CORS headers the page cannot see the answer.
        #expect(exposed.refusal(of: .init(method: .get, hosts: [host], origins: ["http://evil.example"])) == nil)
    }

    @Test func bindAddressesOnLoopback() {
        for host in ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"] {
            #expect(BrowserRequestGuard(bindHost: host).loopback, "\(host)")
        }
        for host in ["0.0.0.0", "::", "10.0.0.5", "switchyard.example", "127.0.0.1.evil.example"] {
            #expect(!BrowserRequestGuard(bindHost: host).loopback, "\(host)")
        }
    }

    @Test func refusalsAreOpenAIErrors() {
        let media = BrowserRequestGuard.Refusal.unsupportedMediaType.error
        #expect(media.status == .unsupportedMediaType && media.code == "unsupported_media_type" && media.type == "invalid_request_error" && media.param == nil)
        #expect(BrowserRequestGuard.Refusal.foreignHost.error.status == .forbidden)
        #expect(BrowserRequestGuard.Refusal.foreignOrigin.error.status == .forbidden)
    }

    /// The fields come from a server's request as HTTP/1 delivers them: the first Host as the authority.
    @Test func readsTheFieldsOfAServerRequest() {
        var fields = HTTPFields()
        fields[.contentType] = "text/plain"
        fields[.origin] = "null"
        fields[.contentLength] = "12"
        fields.append(HTTPField(name: HTTPField.Name("Host")!, value: "evil.example"))
        let head = HTTPRequest(method: .post, scheme: "http", authority: "127.0.0.1:21001", path: "/api/v1/workers/drain", headerFields: fields)
        let request = BrowserRequestGuard.Request(Request(head: head, body: .init(buffer: ByteBuffer())))
        #expect(request.hosts == ["127.0.0.1:21001", "evil.example"])
        #expect(request.origins == ["null"] && request.contentTypes == ["text/plain"] && request.hasBody)
        var bare = HTTPFields()
        bare[.contentLength] = "0"
        let empty = HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/refresh_all_workers", headerFields: bare)
        #expect(!BrowserRequestGuard.Request(Request(head: empty, body: .init(buffer: ByteBuffer()))).hasBody)
    }
}
