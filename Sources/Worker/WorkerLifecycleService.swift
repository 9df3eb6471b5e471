import Logging
import ServiceLifecycle

/// Keeps the worker registered while it runs; on graceful shutdown (SIGTERM) it announces
/// `draining`, waits for running and queued requests to finish, and unregisters.
struct WorkerLifecycleService: Service {
    let worker: Worker

    func run() async throws {
        // A direct data plane's status names this worker's own address, so wait for it even then.
        while worker.address == nil {
            try await Task.sleep(for: .milliseconds(10))
        }
        let address = worker.registeredAddress
        let link = ControllerLink(worker: worker, address: address!)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await link.maintain() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        worker.setState(.draining)
        let logger = worker.logger
        logger.info("draining", metadata: ["queue_length": "\(worker.limiter.queueLength)"])
        try? await link.register()
        await worker.limiter.waitUntilIdle()
        do {
            try await link.unregister()
            logger.info("left the controller")
        } catch {
            logger.warning("could not tell the controller this worker is leaving; it will expire", metadata: ["error": "\(error)"])
        }
    }
}
