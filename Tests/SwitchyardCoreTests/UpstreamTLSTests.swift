import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import SwitchyardCore
import Testing

/// The pool speaks TLS to `https` peers and checks their certificates: a model server behind
/// HTTPS (a hosted OpenAI-compatible API) is relayed like a plain one.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "needs /usr/bin/openssl"))
struct UpstreamTLSTests {
    /// A self-signed certificate for 127.0.0.1 and its key, made by the openssl tool.
    static func certificate() async throws -> (certificate: NIOSSLCertificate, key: NIOSSLPrivateKey) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("upstream-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (certificate, key) = (directory.appendingPathComponent("cert.pem").path, directory.appendingPathComponent("key.pem").path)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        try #require(status == 0)
        return (try NIOSSLCertificate(file: certificate, format: .pem), try NIOSSLPrivateKey(file: key, format: .pem))
    }

    /// Runs an HTTPS server answering `POST /echo` and hands `test` its base URL.
    static func withTLSServer(
        _ certificate: NIOSSLCertificate, _ key: NIOSSLPrivateKey, _ test: @Sendable (String) async throws -> Void
    ) async throws {
        let router = Router()
        router.post("echo") { request, _ in
            Response(status: .ok, body: .init(byteBuffer: try await request.body.collect(upTo: 1 << 20)))
        }
        let server = try HTTPServerBuilder.tls(
            .http1(), tlsConfiguration: .makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        )
        try await withLoopbackApplication(router, server: server) { port in
            try await test("https://127.0.0.1:\(port)")
        }
    }

    @Test func anHTTPSPeerWithATrustedCertificateIsRelayed() async throws {
        let (certificate, key) = try await Self.certificate()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([certificate])
        let pool = UpstreamPool(tls: tls)
        try await Self.withTLSServer(certificate, key) { base in
            for _ in 0..<2 {
                let exchange = try UpstreamExchange(pool: pool, url: base + "/echo", headers: [:], body: ByteBuffer(string: #"{"hello":"tls"}"#), headTimeout: .seconds(10))
                #expect(try await exchange.head().status == .ok)
                #expect(String(buffer: await exchange.collect(upTo: 1 << 20)) == #"{"hello":"tls"}"#)
            }
        }
    }

    @Test func anHTTPSPeerWithAnUntrustedCertificateFails() async throws {
        let (certificate, key) = try await Self.certificate()
        try await Self.withTLSServer(certificate, key) { base in
            let exchange = try UpstreamExchange(pool: UpstreamPool(), url: base + "/echo", headers: [:], body: ByteBuffer(string: "{}"), headTimeout: .seconds(10))
            await #expect(throws: (any Error).self) { try await exchange.head() }
        }
    }
}
