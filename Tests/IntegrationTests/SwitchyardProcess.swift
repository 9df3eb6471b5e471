import Foundation
import Synchronization

/// A real `switchyard` process started by a test, with its stdout announcements and its stderr log.
final class SwitchyardProcess: Sendable {
    let name: String
    let logFile: URL
    private let process: Process
    private let output = OutputBuffer()

    /// The built executable: `SWITCHYARD_BIN`, else the package's debug build.
    static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["SWITCHYARD_BIN"] {
            return URL(fileURLWithPath: path)
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/switchyard")
    }

    static let logDirectory: URL = {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("switchyard-tests")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }()

    init(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        self.name = name
        logFile = Self.logDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        // Files a daemon writes (the arena database) land in the tests' scratch folder, not the package.
        process.currentDirectoryURL = Self.logDirectory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: logFile)
        process.standardInput = FileHandle.nullDevice
        stdout.fileHandleForReading.readabilityHandler = { [output] handle in
            let data = handle.availableData
            if !data.isEmpty { output.text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
        }
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Runs a short-lived command (`status`, `leaderboard`, …) to its end.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String, errors: String) {
        let errors = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("switchyard-run-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        let result = try await runToEnd(
            executable, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            errors: try FileHandle(forWritingTo: errors)
        )
        return (result.status, result.output, (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }

    /// Runs a program to its end and returns its exit status and standard output. Waiting for a
    /// child blocks a thread, so it happens on a thread of its own: Swift's cooperative pool has
    /// one thread per core, and the other tests' in-process servers and clients need them.
    static func runToEnd(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, errors: FileHandle = .nullDevice
    ) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    let process = Process()
                    process.executableURL = executable
                    process.arguments = arguments
                    if let environment { process.environment = environment }
                    let output = Pipe()
                    process.standardOutput = output
                    process.standardError = errors
                    process.standardInput = FileHandle.nullDevice
                    try process.run()
                    let data = output.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
                })
            }.start()
        }
    }

    /// Waits for the "switchyard ROLE listening on URL" line and returns the URL.
    func url(of role: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await announcement("switchyard \(role) listening on ", timeout: timeout)
    }

    /// Waits for a line of standard output that starts with `prefix` (indentation aside) and returns the rest of it.
    func announcement(_ prefix: String, timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let line = output.text.withLock { text in
                text.split(separator: "\n").lazy.map { $0.drop { $0 == " " } }.first { $0.hasPrefix(prefix) }
            }
            if let line { return String(line.dropFirst(prefix.count)) }
            guard process.isRunning else { throw ProcessFailure("\(name) exited (\(process.terminationStatus)) before printing \(prefix); log: \(log)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProcessFailure("\(name) did not print \(prefix); log: \(log)")
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process.isRunning }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to end and returns its exit status.
    func exitStatus(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw ProcessFailure("\(name) did not exit; log: \(log)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }
}

struct ProcessFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A loopback port that was free a moment ago, for daemons that must come back on the same port.
func freePort() throws -> Int {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw ProcessFailure("socket() failed") }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
            guard bind(socket, sockaddrPointer, length) == 0 else { return false }
            return getsockname(socket, sockaddrPointer, &length) == 0
        }
    }
    guard bound else { throw ProcessFailure("bind() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Polls `condition` until it holds or the timeout passes.
func eventually(
    timeout: Duration = .seconds(20),
    _ description: String,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw ProcessFailure("timed out waiting until \(description)")
}

final class OutputBuffer: Sendable {
    let text = Mutex("")
}

/// A value shared between test tasks.
final class Locked<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ value: Value) {
        self.value = Mutex(value)
    }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        value.withLock { body(&$0) }
    }
}
