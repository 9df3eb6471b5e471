import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import SwitchyardCore

extension Controller {
    /// Adds FastChat's controller endpoints and Switchyard's `/api/v1` endpoints; heartbeat
    /// streams are ``beatStreamHandler(boundTo:)``'s.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        addFastChatRoutes(to: router)
        addNativeRoutes(to: router)
        router.addMetricsRoute { [store] in ControllerMetrics.refresh(from: store) }
    }

    /// FastChat's heartbeat replies, encoded once: the controller answers thousands a second.
    static let known = heartbeatReply(#"{"exist":true}"#)
    static let unknown = heartbeatReply(#"{"exist":false}"#)

    private static func heartbeatReply(_ json: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    func addFastChatRoutes<Context: RequestContext>(to router: Router<Context>) {
        let access = configuration.access
        router.post("register_worker") { request, _ -> Response in
            try access.registration.authorize(request)
            let registration = try await request.decodeJSON(FastChat.RegisterWorker.self)
            try configuration.workerAddresses.check(registration.workerName, field: "worker_name")
            let status: WorkerStatus
            if let reported = registration.workerStatus, !reported.modelNames.isEmpty {
                try check(reported)
                status = reported
            } else {
                do {
                    status = try await pullStatus(of: registration.workerName)
                } catch {
                    throw OpenAIError.badGateway(
                        "could not read the status of worker \(registration.workerName): \(error)"
                    )
                }
            }
            guard store.register(registration, status: status) else { throw store.registryFull }
            ControllerMetrics.registered()
            logger.info(
                "worker registered",
                metadata: ["worker": "\(registration.workerName)", "models": "\(status.modelNames.joined(separator: ","))"]
            )
            return Response.fastChatNull
        }
        router.post("receive_heart_beat") { request, _ -> Response in
            try access.registration.authorize(request)
            var request = request
            let beat = try FastChat.HeartBeat(parsing: try await request.collectBody(upTo: FastChat.HeartBeat.maximumSize))
            let exists = store.heartbeat(beat)
            ControllerMetrics.heartbeat(known: exists)
            if !exists {
                logger.info("heartbeat from unknown worker", metadata: ["worker": "\(beat.workerName)"])
            }
            return exists ? Self.known : Self.unknown
        }
        router.post("list_models") { _, _ in
            try Response.json(FastChat.ModelList(models: store.modelNames()))
        }
        router.post("list_language_models") { _, _ in
            try Response.json(FastChat.ModelList(models: store.modelNames(multimodal: false)))
        }
        router.post("list_multimodal_models") { _, _ in
            try Response.json(FastChat.ModelList(models: store.modelNames(multimodal: true)))
        }
        router.post("get_worker_address") { request, _ -> Response in
            try AccessRule.authorize(request, anyOf: access.listing)
            let query = try await request.decodeJSON(FastChat.WorkerAddressQuery.self)
            return try .json(FastChat.WorkerAddress(address: store.pickWorker(for: query.model) ?? ""))
        }
        router.post("worker_get_status") { _, _ in
            try Response.json(store.aggregateStatus)
        }
        router.post("refresh_all_workers") { request, _ -> Response in
            try access.refresh.authorize(request)
            await refreshAllWorkers()
            return Response.fastChatNull
        }
        router.get("test_connection") { _, _ in
            try Response.json("success")
        }
    }

    func addNativeRoutes<Context: RequestContext>(to router: Router<Context>) {
        let access = configuration.access
        let api = router.group("api/v1/workers")
        api.get { request, _ in
            try AccessRule.authorize(request, anyOf: access.listing)
            return try Response.json(WorkerList(workers: store.records()))
        }
        api.post("unregister") { request, _ -> Response in
            // A worker leaving sends its registration token; an operator, the admin token.
            try AccessRule.authorize(request, anyOf: [access.registration, access.admin])
            let worker = try await request.decodeJSON(FastChat.WorkerName.self)
            store.remove(address: worker.workerName)
            logger.info("worker left", metadata: ["worker": "\(worker.workerName)"])
            return try .json(WorkerList(workers: store.records()))
        }
        for (path, target) in [("drain", WorkerState.draining), ("undrain", WorkerState.ready)] {
            api.post(RouterPath(stringLiteral: path)) { request, _ -> Response in
                try access.admin.authorize(request)
                let body = try await request.decodeJSON(FastChat.WorkerAddressBody.self)
                return try .json(try await setState(target, of: body.address))
            }
        }
        api.get("watch") { request, _ -> Response in
            try AccessRule.authorize(request, anyOf: access.listing)
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    try await streamRegistry(to: &writer)
                }
            )
        }
    }

    /// Writes the watch stream: one snapshot, then every change, with keep-alive comments in between.
    ///
    /// Nothing waits here without bound for a watcher that stopped reading: the encoded events
    /// wait in a buffer of ``RegistryStore/watchBufferLimit``, and a watcher that fills it is
    /// dropped (its stream ends, it reconnects to a fresh snapshot) as the store drops one that
    /// falls behind; a write it never accepts is cut by the server's write timeout.
    func streamRegistry(to writer: inout any ResponseBodyWriter) async throws {
        let events = store.watch()
        let (output, sink) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingOldest(store.watchBufferLimit))
        let keepAlive = configuration.watchKeepAlive
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let encoder = JSONEncoder.switchyard
                for await event in events {
                    guard case .enqueued = sink.yield(.serverSentEvent(try encoder.encode(event))) else { break }
                }
                sink.finish()
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: keepAlive)
                    sink.yield(ByteBuffer(string: ": keep-alive\n\n"))
                }
            }
            group.addTask {
                // An endless stream would otherwise hold up the server's graceful shutdown.
                try await gracefulShutdown()
                sink.finish()
            }
            for await buffer in output {
                try await writer.write(buffer)
            }
            group.cancelAll()
        }
    }
}

extension Response {
    /// FastChat answers several POSTs with a JSON `null` body.
    static var fastChatNull: Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "null")))
    }
}
