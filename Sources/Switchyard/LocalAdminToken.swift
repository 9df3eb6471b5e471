import Foundation
import SwitchyardCore

/// Where `switchyard up` leaves the admin token it made, so that `switchyard status` run by the
/// same user on the same machine finds it without the token being copied around.
///
/// One file per controller port, readable by its owner only, in `$XDG_RUNTIME_DIR/switchyard`
/// (else `~/.switchyard`); `up` removes it when it stops. Status reads it only for a controller
/// URL on loopback, so the token is never sent to another machine.
struct LocalAdminToken {
    var directory: String

    init(directory: String) {
        self.directory = directory
    }

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            directory = runtime + "/switchyard"
        } else {
            directory = (environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.switchyard"
        }
    }

    func path(port: Int) -> String {
        "\(directory)/up-\(port).admin-token"
    }

    /// The file for the controller at `url`, when that URL is on loopback.
    func path(controllerURL url: String) -> String? {
        guard let components = URLComponents(string: url), let host = components.host,
            BrowserRequestGuard.isLoopback(host: host)
        else { return nil }
        return path(port: components.port ?? (components.scheme == "https" ? 443 : 80))
    }

    func write(_ token: AccessToken, port: Int) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
        let path = path(port: port)
        try? files.removeItem(atPath: path)
        guard files.createFile(atPath: path, contents: Data(token.secret.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    func read(controllerURL url: String) -> AccessToken? {
        path(controllerURL: url).flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }.flatMap(AccessToken.init)
    }

    /// Removes the file if it still holds `token` (another `up` may have taken the port since).
    func remove(_ token: AccessToken, port: Int) {
        let path = path(port: port)
        guard let held = try? String(contentsOfFile: path, encoding: .utf8), token.matches(held) else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
