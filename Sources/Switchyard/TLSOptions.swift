import ArgumentParser
import Foundation
import HummingbirdTLS

/// Serving HTTPS instead of HTTP, from PEM files.
struct TLSOptions: ParsableArguments {
    @Option(help: "PEM certificate (chain) to serve HTTPS with; needs --tls-key.")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together.")
        }
        for path in [tlsCert, tlsKey].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: path) {
            throw ValidationError("Cannot read \(path).")
        }
    }

    var isEnabled: Bool { tlsCert != nil }

    /// The server's TLS settings, or nil for plain HTTP.
    func configuration() throws -> TLSConfiguration? {
        guard let tlsCert, let tlsKey else { return nil }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tlsCert)
            let key = try NIOSSLPrivateKey(file: tlsKey, format: .pem)
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        } catch {
            throw ValidationError("Cannot load the TLS certificate or key (\(tlsCert), \(tlsKey)): \(error)")
        }
    }
}
