import Logging
import ServiceLifecycle

/// Removes workers whose heartbeats stopped, on a timer.
struct ExpiryService: Service {
    let store: RegistryStore
    let configuration: ControllerConfiguration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            // Cancellation ends the loop; it is how graceful shutdown stops this service, not a failure.
            while (try? await Task.sleep(for: configuration.sweepInterval)) != nil {
                let expired = store.removeExpired(expiry: configuration.heartbeatExpiration)
                if !expired.isEmpty { ControllerMetrics.expired(count: expired.count) }
                for address in expired {
                    logger.warning("worker expired: no heartbeat", metadata: ["worker": "\(address)"])
                }
            }
        }
    }
}
