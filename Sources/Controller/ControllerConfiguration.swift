import Routing
import SwitchyardCore

/// How the controller keeps its registry.
public struct ControllerConfiguration: Sendable {
    /// A heartbeat-checked worker silent for this long is removed (FastChat: 90 s).
    public var heartbeatExpiration: Duration
    /// How often expired workers are looked for.
    public var sweepInterval: Duration
    /// How long `/register_worker` with a null status and `/refresh_all_workers` wait for a worker's status.
    public var statusPullTimeout: Duration
    /// Policy of FastChat's `/get_worker_address`.
    public var dispatch: DispatchMethod
    /// Comment lines on an idle watch stream, so a watcher notices a dead controller.
    public var watchKeepAlive: Duration
    /// Who may register workers and act as operator.
    public var access: ControllerAccess
    /// Which worker addresses may be registered, and so called by the controller.
    public var workerAddresses: WorkerAddressPolicy
    /// Most workers registered at once; registrations of new addresses beyond it get 503.
    public var maxWorkers: Int
    /// How long a heartbeat stream lasts before the controller ends it and the worker opens the
    /// next: well inside the server's request deadline, which would otherwise cut it as broken.
    public var beatStreamLifetime: Duration

    public init(
        heartbeatExpiration: Duration = .seconds(10),
        sweepInterval: Duration? = nil,
        statusPullTimeout: Duration = .seconds(2),
        dispatch: DispatchMethod = .shortestQueue,
        watchKeepAlive: Duration = .seconds(2),
        access: ControllerAccess = .open,
        workerAddresses: WorkerAddressPolicy = .init(),
        maxWorkers: Int = WorkerRegistry.defaultCapacity,
        beatStreamLifetime: Duration = .seconds(30)
    ) {
        self.heartbeatExpiration = heartbeatExpiration
        self.sweepInterval = sweepInterval ?? min(.seconds(1), heartbeatExpiration / 4)
        self.statusPullTimeout = statusPullTimeout
        self.dispatch = dispatch
        self.watchKeepAlive = watchKeepAlive
        self.access = access
        self.workerAddresses = workerAddresses
        self.maxWorkers = maxWorkers
        self.beatStreamLifetime = beatStreamLifetime
    }
}
