import Logging
import ServiceLifecycle

/// Removes workers whose heartbeats stopped, on a timer.
struct ExpiryService: Service {
    let store: RegistryStore
    let configuration: ControllerConfiguration
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: configuration.sweepInterval)
                for address in store.removeExpired(expiry: configuration.heartbeatExpiration) {
                    logger.warning("worker expired: no heartbeat", metadata: ["worker": "\(address)"])
                }
            }
        }
    }
}
