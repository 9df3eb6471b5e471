import SwitchyardCore

/// Who may change the controller's registry.
///
/// FastChat's controller accepts anyone, so anyone on the network can register a rogue worker and
/// receive users' prompts (lm-sys/FastChat#3793); these rules close that.
public struct ControllerAccess: Sendable {
    /// `/register_worker`, `/receive_heart_beat` and a worker's own unregistration.
    public var registration: AccessRule
    /// Operator actions: drain, undrain, unregister.
    public var admin: AccessRule
    /// FastChat's `/refresh_all_workers`, which FastChat's web UI calls without credentials.
    public var refresh: AccessRule
    /// Reads that give workers' addresses (`/api/v1/workers`, its watch stream, `/get_worker_address`):
    /// workers take no client key, so whoever lists them could go round the gateway's keys. Any one
    /// of these rules lets a caller in.
    public var listing: [AccessRule]

    public init(registration: AccessRule, admin: AccessRule, refresh: AccessRule, listing: [AccessRule]) {
        self.registration = registration
        self.admin = admin
        self.refresh = refresh
        self.listing = listing
    }

    /// The rules for a controller's settings.
    ///
    /// Without a token an endpoint family is open on a loopback listener (only local users reach
    /// it) and closed beyond it; `allowUnauthenticatedWorkers` opens FastChat's own endpoints
    /// (registration, heartbeats, refresh) beyond loopback, as FastChat has them.
    public init(registrationToken: AccessToken?, adminToken: AccessToken?, loopback: Bool, allowUnauthenticatedWorkers: Bool) {
        registration = AccessRule(
            token: registrationToken,
            openWithoutToken: loopback || allowUnauthenticatedWorkers,
            credential: "registration token",
            option: "--registration-token"
        )
        admin = AccessRule(token: adminToken, openWithoutToken: loopback, credential: "admin token", option: "--admin-token")
        refresh = AccessRule(
            token: adminToken,
            openWithoutToken: loopback || allowUnauthenticatedWorkers,
            credential: "admin token",
            option: "--admin-token"
        )
        // Either token opens the listing (gateways hold one of them); without any it stays open, as FastChat's.
        let tokens = [registrationToken, adminToken].compactMap { $0 }
        listing =
            tokens.isEmpty
            ? [AccessRule(.open, credential: "registration or admin token", option: "--registration-token")]
            : tokens.map { AccessRule(.token($0), credential: "registration or admin token", option: "--registration-token") }
    }

    /// Everything open, as FastChat's controller is; for a controller only local users reach.
    public static let open = ControllerAccess(registrationToken: nil, adminToken: nil, loopback: true, allowUnauthenticatedWorkers: false)

    /// The admin token, passed on when the controller asks a worker to drain.
    public var adminToken: AccessToken? {
        if case .token(let token) = admin.requirement { token } else { nil }
    }
}
