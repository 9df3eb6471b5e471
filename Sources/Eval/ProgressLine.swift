/// The text of a progress report: a bar redrawn in place on a terminal, plain lines at every
/// tenth of the work otherwise (a log file or CI output must not fill with carriage returns).
public struct ProgressLine: Sendable, Equatable {
    public var label: String
    public var total: Int
    public var done = 0
    public var failed = 0

    public init(label: String, total: Int) {
        self.label = label
        self.total = max(0, total)
    }

    /// The in-place bar: `answer [########------------]  12/30  1 failed`.
    public var bar: String {
        let width = 24
        let filled = total == 0 ? width : min(width, done * width / total)
        let failures = failed > 0 ? "  \(failed) failed" : ""
        return "\(label) [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] \(done)/\(total)" + failures
    }

    /// Whether a plain line is due after `done` reached its current value: at each tenth and at the end.
    public var isMilestone: Bool {
        guard total > 0 else { return true }
        let step = max(1, total / 10)
        return done == total || done % step == 0
    }

    /// The plain line: `answer: 12/30 done, 1 failed`.
    public var plain: String {
        "\(label): \(done)/\(total) done" + (failed > 0 ? ", \(failed) failed" : "")
    }
}
