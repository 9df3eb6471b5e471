import ArgumentParser
import Gateway
import Routing
import SwitchyardCore

extension DispatchMethod: ExpressibleByArgument {}

/// Options of the OpenAI gateway, wherever it runs (controller process, standalone, `up`).
struct GatewayOptions: ParsableArguments {
    @Option(help: "Dispatch policy: \(DispatchMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dispatch: DispatchMethod = .shortestQueue

    @Option(name: .customLong("model-dispatch"), help: "Policy for one model, as MODEL=POLICY (repeatable).")
    var modelDispatch: [String] = []

    @Option(help: "A model name that maps to served models, as NAME=MODEL[,MODEL...] (repeatable).")
    var alias: [String] = []

    @Option(help: "Retries on other workers for a request that failed before its first byte.")
    var maxRetries: Int = 2

    @Option(help: "Seconds after a request arrived past which it is not retried any more.")
    var retryDeadline: Double = 30

    @Option(help: "Requests per model that may wait while all its workers are full; more get 429.")
    var queueSize: Int = 256

    @Option(help: "Seconds a request may wait for a free worker before it gets 503.")
    var queueTimeout: Double = 10

    @Option(help: "Seconds between health probes of each worker (0 turns them off).")
    var probeInterval: Double = 1

    @Option(help: "Seconds a health probe may take.")
    var probeTimeout: Double = 1

    @Option(help: "Longest silence from a worker, in seconds: before its response head, its first chunk, or between chunks (a non-streamed completion sends nothing until done).")
    var responseTimeout: Double = 600

    @Option(help: "Seconds of silence in a stream before the gateway sends a `: keep-alive` comment (0 turns them off).")
    var keepAliveInterval: Double = 15

    @Option(help: "Largest request body in bytes; bigger ones get 413.")
    var maxBodyBytes: Int = 32 << 20

    @Option(help: "session policy: a session moves when its worker's load exceeds this multiple of the average.")
    var sessionLoadBound: Double = SessionAffinityPolicy.defaultLoadBound

    @Option(help: "prefix policy: how many more requests the prefix holder may have than the least loaded worker.")
    var prefixImbalanceMargin: Int = PrefixAwarePolicy.defaultImbalanceMargin

    @Option(help: "Header carrying the session key of the session policy (else the request's `user`).")
    var sessionHeader: String = "x-session-id"

    @Option(help: "Networks workers may be registered at, as CIDR[,CIDR...] (e.g. 10.0.0.0/8,fd00::/8): a worker's address must then be an IP inside one, or localhost when a loopback address is. The controller refuses other registrations and gateways skip such workers. Without it any host is allowed.")
    var workerNetworks: String?

    /// The worker addresses the controller and the gateway accept.
    var workerAddresses: WorkerAddressPolicy {
        WorkerAddressPolicy(networks: workerNetworks.flatMap { try? NetworkAllowList(parsing: $0) })
    }

    func validate() throws {
        _ = try keyValues(alias, option: "--alias")
        for (model, policy) in try keyValues(modelDispatch, option: "--model-dispatch") where DispatchMethod(rawValue: policy) == nil {
            throw ValidationError("--model-dispatch \(model)=\(policy): unknown policy; use one of \(DispatchMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if !(sessionLoadBound >= 1 && sessionLoadBound.isFinite) || prefixImbalanceMargin < 0 {
            throw ValidationError("--session-load-bound must be at least 1 and --prefix-imbalance-margin not negative.")
        }
        let seconds = [
            ("--queue-timeout", queueTimeout), ("--probe-interval", probeInterval), ("--probe-timeout", probeTimeout),
            ("--response-timeout", responseTimeout), ("--retry-deadline", retryDeadline), ("--keep-alive-interval", keepAliveInterval),
        ]
        for (option, value) in seconds where !(value >= 0 && value < 1e9) {
            throw ValidationError("\(option) must be a finite, non-negative number of seconds.")
        }
        for (option, value) in [("--probe-timeout", probeTimeout), ("--response-timeout", responseTimeout)] where value == 0 {
            throw ValidationError("\(option) must be above zero.")
        }
        for (option, value) in [("--max-retries", maxRetries), ("--queue-size", queueSize)] where value < 0 {
            throw ValidationError("\(option) must not be negative.")
        }
        if maxBodyBytes < 1 { throw ValidationError("--max-body-bytes must be at least 1.") }
        do {
            _ = try workerNetworks.map(NetworkAllowList.init(parsing:))
        } catch {
            throw ValidationError("--worker-networks: \(error)")
        }
    }

    var configuration: GatewayConfiguration {
        let policyByModel = ((try? keyValues(modelDispatch, option: "")) ?? [])
            .reduce(into: [String: DispatchMethod]()) { $0[$1.key] = DispatchMethod(rawValue: $1.value) }
        let aliases = ((try? keyValues(alias, option: "")) ?? [])
            .reduce(into: [String: [String]]()) { $0[$1.key] = $1.value.split(separator: ",").map(String.init) }
        return GatewayConfiguration(
            routing: RoutingConfiguration(
                policy: dispatch,
                policyByModel: policyByModel,
                policyTuning: PolicyConfiguration(sessionLoadBound: sessionLoadBound, prefixImbalanceMargin: prefixImbalanceMargin),
                aliases: aliases,
                workerAddresses: workerAddresses
            ),
            queue: QueueConfiguration(capacity: queueSize, maxWait: .seconds(fractional: queueTimeout)),
            maxBodySize: maxBodyBytes,
            responseTimeout: .seconds(fractional: responseTimeout),
            maxRetries: maxRetries,
            retryDeadline: .seconds(fractional: retryDeadline),
            probeInterval: .seconds(fractional: probeInterval),
            probeTimeout: .seconds(fractional: probeTimeout),
            keepAliveInterval: .seconds(fractional: keepAliveInterval),
            sessionHeader: sessionHeader
        )
    }
}
