import SwitchyardCore
import Testing

@Suite struct WorkerAddressPolicyTests {
    let open = WorkerAddressPolicy()

    @Test func plainHTTPAddressesPass() {
        for address in [
            "http://127.0.0.1:21002", "https://worker-3.internal:443/", "http://[::1]:8080", "HTTP://Worker.Example",
            "http://10.0.0.7:8000/v1", "http://gpu_box:1",
        ] {
            #expect(open.problem(with: address) == nil, "\(address)")
        }
    }

    @Test func hostileAddressesAreRefused() {
        let hostile = [
            "", "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "ftp://host/", "javascript:alert(1)",
            "http://user@host", "http://user:pass@127.0.0.1:80", "http://evil.example@169.254.169.254",
            "http://host/?redirect=x", "http://host/#frag", "http://", "http:///path", "http:host", "//host:80",
            "http://host:0", "http://host:99999", "http://host:99999999999999999999999", "http://host name", "http://host\n.example", "http://h\\@evil",
            "http://%31%32%37.0.0.1", "http://ho\u{0}st", "http://hóst.example", "http://[::1", "unix:///tmp/sock",
            "http+unix://%2Ftmp%2Fsock", "http://" + String(repeating: "a", count: WorkerAddressPolicy.maxLength),
        ]
        for address in hostile {
            #expect(open.problem(with: address) != nil, "\(address)")
        }
    }

    @Test func refusalIsAnOpenAIErrorNamingTheField() {
        do {
            try open.check("file:///etc/passwd", field: "worker_name")
            Issue.record("file: must be refused")
        } catch let error as OpenAIError {
            #expect(error.status == .badRequest)
            #expect(error.param == "worker_name")
            #expect(error.code == "invalid_worker_address")
            #expect(error.message.contains("http"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        // An overlong address is echoed only in part.
        let long = "http://" + String(repeating: "x", count: 1 << 20)
        do {
            try open.check(long, field: "worker_name")
        } catch let error as OpenAIError {
            #expect(error.message.utf8.count < 512)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func allowListNeedsAnIPInsideIt() throws {
        let policy = WorkerAddressPolicy(networks: try NetworkAllowList(parsing: "10.0.0.0/8,fd00::/8,127.0.0.1"))
        #expect(policy.allows("http://10.1.2.3:8000"))
        #expect(policy.allows("http://[fd00::5]:8000"))
        #expect(policy.allows("http://localhost:21002"))
        #expect(policy.allows("http://127.0.0.1:21002"))
        #expect(!policy.allows("http://127.0.0.2:21002"))
        #expect(!policy.allows("http://169.254.169.254/latest/meta-data"))
        #expect(!policy.allows("http://[::ffff:169.254.169.254]/"))
        #expect(!policy.allows("http://[::1]:80"))
        #expect(!policy.allows("http://worker.internal:8000"))
        #expect(!policy.allows("http://2130706433:80"))
        #expect(!policy.allows("http://0x7f000001:80"))
        #expect(policy.problem(with: "http://192.168.0.1")?.contains("10.0.0.0/8") == true)
    }
}
