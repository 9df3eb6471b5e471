import Foundation
import Synchronization

/// Writes a ``ProgressLine`` to standard error as work finishes, drawn as a bar only when standard
/// error is a terminal. Standard output stays for results.
public final class ProgressReporter: Sendable {
    private let line: Mutex<ProgressLine>
    private let isTerminal: Bool

    public init(label: String, total: Int, isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        line = Mutex(ProgressLine(label: label, total: total))
        self.isTerminal = isTerminal
    }

    /// Counts one finished task, `failed` when it produced nothing.
    public func finished(failed: Bool) {
        let text: String? = line.withLock { line in
            line.done += 1
            if failed { line.failed += 1 }
            if isTerminal { return "\r" + line.bar + (line.done == line.total ? "\n" : "") }
            return line.isMilestone ? line.plain + "\n" : nil
        }
        if let text { FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// Reports a problem on its own line, without breaking the bar.
    public func note(_ message: String) {
        FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + message + "\n").utf8))
    }
}
