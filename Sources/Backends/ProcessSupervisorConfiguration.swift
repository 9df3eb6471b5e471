/// How the worker runs its model server: the command and the pace of restarts and shutdown.
public struct ProcessSupervisorConfiguration: Sendable {
    /// Run by `/bin/sh -c`, so operators write it as in a shell or a unit file
    /// (quotes, `VAR=value cmd`, `$HOME`); `{port}` is already replaced.
    public var command: String
    public var initialBackoff: Duration
    public var maximumBackoff: Duration
    /// A child ready for this long had a good run: its crash restarts it after `initialBackoff` again.
    public var resetAfter: Duration
    /// The pause between readiness probes while the child starts.
    public var probeInterval: Duration
    /// How long the child may take to exit after SIGTERM before it gets SIGKILL.
    public var stopGracePeriod: Duration

    public init(
        command: String,
        initialBackoff: Duration = .seconds(1),
        maximumBackoff: Duration = .seconds(30),
        resetAfter: Duration = .seconds(30),
        probeInterval: Duration = .milliseconds(250),
        stopGracePeriod: Duration = .seconds(10)
    ) {
        self.command = command
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.resetAfter = resetAfter
        self.probeInterval = probeInterval
        self.stopGracePeriod = stopGracePeriod
    }
}
