import ArgumentParser
import Controller
import Foundation
import Gateway
import Logging
import SwitchyardCore

/// The client API keys a gateway accepts.
struct APIKeyOptions: ParsableArguments {
    @Option(name: .customLong("api-key"), help: "A client API key the gateway accepts, as `Authorization: Bearer KEY` (repeatable). Without any key the gateway is open.")
    var apiKeys: [String] = []

    @Option(help: "File of client API keys: one per line, or `KEY model1,model2` to limit a key to those models; lines starting with # are comments.")
    var apiKeysFile: String?

    func validate() throws {
        _ = try keySet()
    }

    func keySet() throws -> APIKeySet {
        var keys = APIKeySet(apiKeys.compactMap(AccessToken.init).map { APIKeySet.Entry(key: $0) })
        if let path = apiKeysFile {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("Cannot read the API keys file \(path).")
            }
            do {
                keys = keys.merging(try APIKeySet(parsing: text))
            } catch {
                throw ValidationError("API keys file \(path), \(error)")
            }
            if keys.isEmpty { throw ValidationError("The API keys file \(path) holds no key: the gateway would be open.") }
        }
        return keys
    }
}

/// The shared secret workers present to the controller, and gateways to read its registry.
struct RegistrationTokenOption: ParsableArguments {
    @Option(help: "Token workers send to register and heartbeat, and gateways to mirror the controller's registry, as `Authorization: Bearer TOKEN`.")
    var registrationToken: String?

    var token: AccessToken? {
        registrationToken.flatMap(AccessToken.init)
    }
}

/// The operator's secret: drain, undrain, unregister, refresh, and the listing of workers.
struct AdminTokenOption: ParsableArguments {
    @Option(help: "Token of operator actions (drain, undrain, unregister, refresh) and of the controller's listing of workers, as `Authorization: Bearer TOKEN`.")
    var adminToken: String?

    var token: AccessToken? {
        adminToken.flatMap(AccessToken.init)
    }
}

extension DaemonOptions {
    /// Whether only this machine can reach the daemon: the rule that decides what stays open without tokens.
    var isLoopback: Bool {
        BrowserRequestGuard.isLoopback(host: host)
    }
}

extension ControllerAccess {
    /// Says at start-up what is open, so an operator never runs an open registry unknowingly.
    func logNotices(host: String, logger: Logger) {
        if case .open = registration.requirement {
            logger.notice("workers register without a token", metadata: ["host": "\(host)"])
        }
        if case .closed = admin.requirement {
            logger.notice("drain, undrain and unregister are off: bound beyond loopback without --admin-token", metadata: ["host": "\(host)"])
        }
    }
}
