import Foundation
import SwitchyardCore
import Testing

@testable import Switchyard

@Suite struct LocalAdminTokenTests {
    @Test func livesInTheRuntimeFolderElseTheHomeFolder() {
        #expect(LocalAdminToken(environment: ["XDG_RUNTIME_DIR": "/run/user/1000", "HOME": "/home/op"]).directory == "/run/user/1000/switchyard")
        #expect(LocalAdminToken(environment: ["XDG_RUNTIME_DIR": "", "HOME": "/home/op"]).directory == "/home/op/.switchyard")
        #expect(LocalAdminToken(environment: ["HOME": "/home/op"]).path(port: 21001) == "/home/op/.switchyard/up-21001.admin-token")
    }

    /// The token is only ever sent to a controller on this machine, whatever port the URL names.
    @Test func onlyLoopbackControllersGetIt() {
        let files = LocalAdminToken(directory: "/d")
        #expect(files.path(controllerURL: "http://127.0.0.1:21001") == "/d/up-21001.admin-token")
        #expect(files.path(controllerURL: "http://localhost:4000/") == "/d/up-4000.admin-token")
        #expect(files.path(controllerURL: "http://[::1]:4000") == "/d/up-4000.admin-token")
        #expect(files.path(controllerURL: "https://localhost") == "/d/up-443.admin-token")
        for url in [
            "http://10.0.0.5:21001", "http://127.0.0.1.evil.example:21001", "http://evil.example:21001", "http://0.0.0.0:21001",
            "http://user@evil.example:21001", "not a url", "",
        ] {
            #expect(files.path(controllerURL: url) == nil, "\(url)")
        }
    }

    @Test func writtenForItsOwnerReadBackAndRemovedOnlyWhenStillOurs() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-token-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = LocalAdminToken(directory: directory)
        let token = AccessToken.random()
        try files.write(token, port: 21001)
        let attributes = try FileManager.default.attributesOfItem(atPath: files.path(port: 21001))
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int == 0o700)
        #expect(files.read(controllerURL: "http://127.0.0.1:21001") == token)
        #expect(files.read(controllerURL: "http://127.0.0.1:21002") == nil)
        // Another `up` took the port since: its file stays.
        let newer = AccessToken.random()
        try files.write(newer, port: 21001)
        files.remove(token, port: 21001)
        #expect(files.read(controllerURL: "http://localhost:21001") == newer)
        files.remove(newer, port: 21001)
        #expect(!FileManager.default.fileExists(atPath: files.path(port: 21001)))
    }

    @Test func workersBindToLoopbackByDefault() throws {
        let worker = try WorkerCommand.parse(["--model-names", "m"])
        #expect(worker.daemon.host == "127.0.0.1")
        #expect(worker.daemon.isLoopback)
    }
}
