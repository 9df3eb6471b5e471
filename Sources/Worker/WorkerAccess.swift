import SwitchyardCore

/// The worker's credentials towards the controller and the rule for its operator endpoints.
public struct WorkerAccess: Sendable {
    /// Sent as `Authorization: Bearer` when registering, beating and unregistering.
    public var registrationToken: AccessToken?
    /// `/admin/drain` and `/admin/undrain`; the controller forwards drains with its admin token.
    public var admin: AccessRule

    public init(registrationToken: AccessToken?, admin: AccessRule) {
        self.registrationToken = registrationToken
        self.admin = admin
    }

    /// The rules for a worker's settings: without an admin token its operator endpoints are open
    /// on a loopback listener and closed beyond it.
    public init(registrationToken: AccessToken?, adminToken: AccessToken?, loopback: Bool) {
        self.init(
            registrationToken: registrationToken,
            admin: AccessRule(token: adminToken, openWithoutToken: loopback, credential: "admin token", option: "--admin-token")
        )
    }

    /// No token anywhere, as FastChat's workers; for a worker only local users reach.
    public static let open = WorkerAccess(registrationToken: nil, adminToken: nil, loopback: true)
}
