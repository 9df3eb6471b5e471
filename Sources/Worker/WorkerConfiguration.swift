import Conversation
import SwitchyardCore

/// How a worker presents itself to the controller and admits requests.
public struct WorkerConfiguration: Sendable {
    /// The controller's base URL.
    public var controllerURL: String
    /// The URL gateways and the controller use to reach this worker; nil means `http://host:port` once bound.
    public var workerAddress: String?
    public var modelNames: [String]
    /// Relative capacity (FastChat's `speed`): policies send proportionally more to heavier workers.
    public var weight: Double
    /// Requests run at once; more wait in a FIFO queue.
    public var limitConcurrency: Int
    /// FastChat beats every 45 s; a dead worker should vanish within seconds.
    public var heartbeatInterval: Duration
    /// Longest pause between attempts to reach an absent controller.
    public var maxRegisterBackoff: Duration
    /// Timeout of each call to the controller.
    public var controllerTimeout: Duration
    /// Whether gateways send requests through this worker or straight to its backend.
    public var dataPlane: DataPlane
    /// The registration token it sends and who may drain it.
    public var access: WorkerAccess
    /// The template FastChat's `/worker_get_conv_template` reports: FastChat's API server and
    /// web UI build this worker's prompts with it.
    public var conversationTemplate: ConversationTemplate
    /// FastChat's `/model_details`; nil asks the backend, falling back to ``fastChatContextLength``.
    public var contextLength: Int?

    /// FastChat's template for a model it does not recognise.
    public static let defaultConversationTemplate = "one_shot"
    /// FastChat's context length when a model's configuration names none.
    public static let fastChatContextLength = 2048

    public init(
        controllerURL: String = "http://127.0.0.1:21001",
        workerAddress: String? = nil,
        modelNames: [String],
        weight: Double = 1,
        limitConcurrency: Int = 64,
        heartbeatInterval: Duration = .seconds(3),
        maxRegisterBackoff: Duration = .seconds(2),
        controllerTimeout: Duration = .seconds(2),
        dataPlane: DataPlane = .worker,
        access: WorkerAccess = .open,
        conversationTemplate: ConversationTemplate = ConversationTemplate.named(defaultConversationTemplate)!,
        contextLength: Int? = nil
    ) {
        self.controllerURL = controllerURL
        self.workerAddress = workerAddress
        self.modelNames = modelNames
        self.weight = weight
        self.limitConcurrency = limitConcurrency
        self.heartbeatInterval = heartbeatInterval
        self.maxRegisterBackoff = maxRegisterBackoff
        self.controllerTimeout = controllerTimeout
        self.dataPlane = dataPlane
        self.access = access
        self.conversationTemplate = conversationTemplate
        self.contextLength = contextLength
    }
}
