import Foundation
import Logging
import Synchronization

/// One launch of the model server: `/bin/sh -c COMMAND` as the leader of its own process group,
/// its stdout and stderr forwarded to the worker's log line by line.
///
/// Signals go to the whole group, so a server's helpers (a shell in between, vLLM's engine
/// processes) stop with it.
final class ChildProcess: Sendable {
    let pid: Int32
    private let process: Process

    /// Launches the command; `onExit` gets the exit status (or the signal that ended it).
    init(command: String, logger: Logger, onExit: @escaping @Sendable (Int32) -> Void) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = Self.forwarding(to: logger, stream: "stdout")
        process.standardError = Self.forwarding(to: logger, stream: "stderr")
        process.terminationHandler = { process in
            // Whatever the leader left in its group (a server behind a shell) would hold the port.
            kill(-process.processIdentifier, SIGKILL)
            onExit(process.terminationStatus)
        }
        try process.run()
        self.process = process
        self.pid = process.processIdentifier
        // Foundation already makes the child a group leader; this makes sure of it before the
        // first signal (EACCES once it has exec'd means it is done).
        _ = setpgid(pid, pid)
    }

    var isRunning: Bool { process.isRunning }

    /// Sends `signal` to the child's process group.
    func signal(_ signal: Int32) {
        kill(-pid, signal)
    }

    /// A pipe whose lines are logged as they come, prefixed by the stream they came from.
    private static func forwarding(to logger: Logger, stream: String) -> Pipe {
        let pipe = Pipe()
        let buffer = LockedLineBuffer()
        let log = { @Sendable (line: String) in
            logger.info("\(line)", metadata: ["backend": .string(stream)])
        }
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                if let line = buffer.lines.withLock({ $0.finish() }) { log(line) }
                return
            }
            buffer.lines.withLock { $0.append(data) }.forEach(log)
        }
        return pipe
    }
}

/// A ``LineBuffer`` that the pipe's handler, called on Foundation's threads, can hold.
private final class LockedLineBuffer: Sendable {
    let lines = Mutex(LineBuffer())
}
