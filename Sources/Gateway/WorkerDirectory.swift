import Routing
import Synchronization
import SwitchyardCore

/// The shared, locked ``DirectoryState`` of one gateway: registry events and outcomes go in,
/// leases come out. When every worker for a model is full, requests wait here in a bounded queue.
public final class WorkerDirectory: Sendable {
    private struct Waiter {
        var ticket: Int
        var model: String
        var continuation: CheckedContinuation<WaitOutcome, Never>
        /// Wakes the waiter at its deadline; only waiting requests pay for one.
        var timer: Task<Void, Never>

        func wake() {
            timer.cancel()
            continuation.resume(returning: .retry)
        }
    }

    private enum WaitOutcome {
        case leased(Lease)
        case retry
        case failed(any Error)
    }

    /// Every worker of the model is full and the caller asked not to wait.
    public struct MustWait: Error {}

    private struct State: Sendable {
        var directory: DirectoryState
        /// Seeded once: the system generator costs a `getrandom` call per draw.
        var random = SeededRandomNumberGenerator(seed: .random(in: .min ... .max))
        var waiters: [Waiter] = []
        var nextTicket = 0

        mutating func takeWaiters(where matches: (Waiter) -> Bool, limit: Int = .max) -> [Waiter] {
            var taken: [Waiter] = []
            waiters.removeAll { waiter in
                guard taken.count < limit, matches(waiter) else { return false }
                taken.append(waiter)
                return true
            }
            return taken
        }
    }

    private let state: Mutex<State>
    public let queue: QueueConfiguration
    /// Templates and context lengths of the FastChat workers listed here.
    public let fastChatWorkers = FastChatWorkerCache()

    public init(routing: RoutingConfiguration = .init(), queue: QueueConfiguration = .init()) {
        self.state = Mutex(State(directory: DirectoryState(routing: routing)))
        self.queue = queue
    }

    public func apply(_ event: RegistryEvent) {
        let (woken, snapshot) = state.withLock { state -> ([Waiter], DirectoryState?) in
            state.directory.apply(event, now: .now)
            // Capacity may have appeared (a worker joined or became ready): let every waiter look again.
            let woken = state.takeWaiters { _ in true }
            if case .upsert = event { return (woken, nil) }
            return (woken, state.directory)
        }
        for waiter in woken { waiter.wake() }
        // Workers may have left: their metric series go with them.
        if let snapshot {
            GatewayMetrics.forgetDeparted(from: snapshot)
            fastChatWorkers.retain { snapshot.workers[$0] != nil }
        }
    }

    /// Picks a worker for the request, waiting in the model's queue while all its workers are full.
    ///
    /// Throws 404 for an unknown model, 503 when no worker can serve it or the wait ran out,
    /// 429 when the queue is full, and `CancellationError` when the client left while waiting.
    /// With `wait: false` it throws ``MustWait`` instead of queueing.
    public func lease(_ request: RoutingRequest, excluding excluded: Set<String> = [], wait: Bool = true) async throws -> Lease {
        let deadline = ContinuousClock.now + queue.maxWait
        // One ticket for the whole wait: a woken request that finds no room goes back to its place.
        // Most requests find a worker at the first look; only one that must queue pays for a continuation.
        let (ticket, firstLook) = state.withLock { state in
            defer { state.nextTicket += 1 }
            return (state.nextTicket, attempt(request, excluding: excluded, wait: wait, deadline: deadline, state: &state))
        }
        var look = firstLook
        while true {
            let outcome: WaitOutcome
            if let look {
                outcome = look
            } else {
                outcome = await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        state.withLock { state in
                            if let outcome = attempt(request, excluding: excluded, wait: wait, deadline: deadline, state: &state) {
                                continuation.resume(returning: outcome)
                            } else {
                                enqueue(ticket: ticket, model: request.model, deadline: deadline, continuation: continuation, state: &state)
                            }
                        }
                    }
                } onCancel: {
                    state.withLock { state in state.takeWaiters { $0.ticket == ticket }.first }?.wake()
                }
            }
            switch outcome {
            case .leased(let lease): return lease
            case .failed(let error): throw error
            case .retry:
                if Task.isCancelled {
                    // A wake-up meant for this request must not be lost with it.
                    state.withLock { state in state.takeWaiters(where: { $0.model == request.model }, limit: 1).first }?.wake()
                    throw CancellationError()
                }
            }
            look = nil
        }
    }

    /// One look at the directory for the request; nil when it should join the model's queue.
    private func attempt(
        _ request: RoutingRequest,
        excluding excluded: Set<String>,
        wait: Bool,
        deadline: ContinuousClock.Instant,
        state: inout State
    ) -> WaitOutcome? {
        let now = ContinuousClock.now
        // First come, first served: a new request does not overtake those already waiting.
        if !wait && state.waiters.contains(where: { $0.model == request.model }) {
            return .failed(MustWait())
        }
        switch state.directory.lease(request, excluding: excluded, using: &state.random, now: now) {
        case .worker(let address, let servedModel):
            let speaksFastChat = state.directory.workers[address]?.api != "openai"
            return .leased(Lease(address: address, servedModel: servedModel, speaksFastChat: speaksFastChat, directory: self))
        case .unknownModel:
            return .failed(OpenAIError.modelNotFound(request.model))
        case .unavailable:
            return .failed(OpenAIError.noCapacity(request.model, retryAfter: queue.retryAfter))
        case .saturated:
            if !wait { return .failed(MustWait()) }
            if Task.isCancelled { return .retry }
            if now >= deadline { return .failed(OpenAIError.queueTimedOut(request.model, retryAfter: queue.retryAfter)) }
            if state.waiters.lazy.filter({ $0.model == request.model }).count >= queue.capacity {
                return .failed(OpenAIError.queueFull(request.model, retryAfter: queue.retryAfter))
            }
            return nil
        }
    }

    /// Puts the request in its model's queue, in ticket order, with a timer for its deadline.
    private func enqueue(
        ticket: Int,
        model: String,
        deadline: ContinuousClock.Instant,
        continuation: CheckedContinuation<WaitOutcome, Never>,
        state: inout State
    ) {
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(until: deadline)) != nil else { return }
            self?.expire(ticket)
        }
        let place = state.waiters.firstIndex { $0.ticket > ticket } ?? state.waiters.endIndex
        state.waiters.insert(Waiter(ticket: ticket, model: model, continuation: continuation, timer: timer), at: place)
    }

    /// Wakes a waiter whose time is up; it fails with 503 on its next look.
    private func expire(_ ticket: Int) {
        state.withLock { state in state.takeWaiters { $0.ticket == ticket }.first }?.wake()
    }

    func release(_ address: String) {
        let woken = state.withLock { state in
            state.directory.release(address)
            let served = Set(state.directory.models(of: address))
            let routing = state.directory.routing
            return state.takeWaiters(where: { waiter in
                routing.servedModels(for: waiter.model).contains(where: served.contains)
            }, limit: 1)
        }
        for waiter in woken { waiter.wake() }
    }

    /// Feeds an outcome to the worker's circuit breaker; returns the transition it caused, if any.
    @discardableResult
    public func record(success: Bool, for address: String, hard: Bool = false) -> CircuitBreaker.Transition? {
        let transition = state.withLock { $0.directory.record(success: success, for: address, hard: hard, now: .now) }
        if let transition { GatewayMetrics.circuitTransition(of: address, to: transition) }
        return transition
    }

    public var modelNames: [String] {
        state.withLock { $0.directory.modelNames }
    }

    public var snapshot: DirectoryState {
        state.withLock { $0.directory }
    }

    /// Requests waiting for capacity, over all models.
    public var waiting: Int {
        state.withLock { $0.waiters.count }
    }

    /// Requests waiting for capacity, by model.
    public var waitingByModel: [String: Int] {
        state.withLock { $0.waiters.reduce(into: [:]) { $0[$1.model, default: 0] += 1 } }
    }
}

/// One request's claim on a worker, counted as in flight until released (see ``ReleaseOnce``).
public struct Lease: Sendable {
    public let address: String
    /// The model name to ask the worker for; differs from the requested one when it was an alias.
    public let servedModel: String
    /// The worker registered without `api: openai`: it speaks FastChat's worker protocol.
    public let speaksFastChat: Bool
    public let release: ReleaseOnce

    init(address: String, servedModel: String, speaksFastChat: Bool = false, directory: WorkerDirectory) {
        self.address = address
        self.servedModel = servedModel
        self.speaksFastChat = speaksFastChat
        self.release = ReleaseOnce { directory.release(address) }
    }
}

/// The gateway's wait queue for requests that find every worker of their model full.
public struct QueueConfiguration: Sendable {
    /// Waiting requests per model; one more gets 429.
    public var capacity: Int
    /// Longest wait; then 503.
    public var maxWait: Duration
    /// `retry-after` sent with 429 and 503.
    public var retryAfter: Duration

    public init(capacity: Int = 256, maxWait: Duration = .seconds(10), retryAfter: Duration = .seconds(1)) {
        self.capacity = capacity
        self.maxWait = maxWait
        self.retryAfter = retryAfter
    }
}
