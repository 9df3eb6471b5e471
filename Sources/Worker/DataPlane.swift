import SwitchyardCore

/// Where gateways send a worker's requests.
public enum DataPlane: Sendable, Equatable {
    /// Through the worker, which limits concurrency and normalises the backend's replies.
    case worker
    /// Straight to the backend at this URL (its OpenAI base without `/v1`), saving a hop for
    /// backends that need no normalisation. The worker becomes a sidecar: it registers that URL,
    /// beats for it, reports the backend's load and answers health probes by checking the backend.
    case direct(backendAddress: String)

    /// The URL a direct data plane registers for an OpenAI-compatible `upstream`: gateways append
    /// `/v1/chat/completions` to a worker's address, so a trailing `/v1` is dropped.
    public static func direct(upstream: String) -> DataPlane {
        var address = upstream.trimmingSuffix("/")
        if address.hasSuffix("/v1") { address = String(address.dropLast(3)) }
        return .direct(backendAddress: address)
    }
}
