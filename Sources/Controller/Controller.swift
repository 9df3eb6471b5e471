import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardCore

/// The controller role: the registry, its expiry, and the FastChat and native HTTP APIs over it.
///
/// It only adds routes and services, so one process can serve a gateway beside it.
public struct Controller: Sendable {
    public let store: RegistryStore
    public let configuration: ControllerConfiguration
    let httpClient: HTTPClient
    let logger: Logger

    public init(configuration: ControllerConfiguration = .init(), httpClient: HTTPClient, logger: Logger) {
        self.store = RegistryStore(dispatch: configuration.dispatch, capacity: configuration.maxWorkers)
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
    }

    /// Background work the controller needs while it runs.
    public var services: [any Service] {
        [ExpiryService(store: store, configuration: configuration, logger: logger)]
    }

    /// Refuses, with OpenAI's 400 naming the field, a status no sane worker reports or one whose
    /// control address the controller may not call.
    func check(_ status: WorkerStatus) throws {
        try status.validate()
        if let controlAddress = status.controlAddress {
            try configuration.workerAddresses.check(controlAddress, field: "worker_status.control_address")
        }
    }

    /// Asks a worker for its FastChat status, as a controller does when a worker registers without one.
    /// Only an allowed address is called (redirects are never followed), and the answer is checked
    /// as a reported status is.
    func pullStatus(of address: String) async throws -> WorkerStatus {
        try configuration.workerAddresses.check(address, field: "worker_name")
        var request = HTTPClientRequest(url: address.trimmingSuffix("/") + "/worker_get_status")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: "{}"))
        let timeout = TimeAmount(configuration.statusPullTimeout)
        let response = try await httpClient.execute(request, timeout: timeout)
        guard response.status == .ok else {
            throw OpenAIError.badGateway("worker \(address) answered /worker_get_status with HTTP \(response.status.code)")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        let status = try JSONDecoder.decode(WorkerStatus.self, from: body)
        try check(status)
        return status
    }

    /// FastChat's refresh: re-reads every worker's status, all at once, and drops those that do not answer.
    /// A direct-data-plane worker is asked at its sidecar, since its address is a plain OpenAI server.
    ///
    /// The probes run outside the registry lock, so routing and heartbeats carry on meanwhile.
    func refreshAllWorkers() async {
        let workers = store.entries()
        await withTaskGroup(of: Void.self) { group in
            for (address, entry) in workers {
                group.addTask {
                    do {
                        let status = try await pullStatus(of: entry.status.controlAddress ?? address)
                        let registration = FastChat.RegisterWorker(
                            workerName: address,
                            checkHeartBeat: entry.checkHeartBeat,
                            workerStatus: status,
                            multimodal: entry.multimodal
                        )
                        guard store.register(registration, status: status) else { throw store.registryFull }
                    } catch {
                        logger.warning("refresh dropped an unreachable worker", metadata: ["worker": "\(address)", "error": "\(error)"])
                        store.remove(address: address)
                    }
                }
            }
        }
    }

    /// Drains or undrains a worker: the worker itself stops (or resumes) taking requests, and the
    /// registry publishes the state at once so gateways stop (or resume) routing to it.
    func setState(_ state: WorkerState, of address: String) async throws -> WorkerRecord {
        guard let registered = store.records().first(where: { $0.address == address }) else {
            throw OpenAIError(status: .notFound, message: "No worker is registered at \(address).", code: "worker_not_found")
        }
        try configuration.workerAddresses.check(registered.controlBase, field: "address")
        var request = HTTPClientRequest(url: registered.controlBase.trimmingSuffix("/") + (state == .draining ? "/admin/drain" : "/admin/undrain"))
        request.method = .POST
        if let token = configuration.access.adminToken {
            request.headers.add(name: "authorization", value: "Bearer \(token.secret)")
        }
        do {
            let response = try await httpClient.execute(request, timeout: .init(configuration.statusPullTimeout))
            _ = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok else {
                throw OpenAIError.badGateway("worker \(address) answered HTTP \(response.status.code)")
            }
        } catch let error as OpenAIError {
            throw error
        } catch {
            throw OpenAIError.badGateway("worker \(address) could not be reached: \(error)")
        }
        guard let record = store.setState(state, of: address) else {
            throw OpenAIError(status: .notFound, message: "No worker is registered at \(address).", code: "worker_not_found")
        }
        logger.info("worker state set by operator", metadata: ["worker": "\(address)", "state": "\(state.rawValue)"])
        return record
    }
}
