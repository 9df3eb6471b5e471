/// A FastChat conversation template and the conversation built on it: FastChat's `Conversation`.
///
/// Both sides of FastChat's worker protocol carry it: a worker answers `/worker_get_conv_template`
/// with one (`{"conv": {...}}`), and whoever talks to that worker builds the model's prompt from it
/// with ``prompt()``, exactly as FastChat 0.2.36's `Conversation.get_prompt()` does. Messages are
/// text only: FastChat's image parts (the `$$<image>$$` placeholders of a few styles) are not modelled.
public struct ConversationTemplate: Sendable, Equatable {
    /// One turn: a role name from ``roles`` and its text; `nil` text is the open turn the model
    /// completes (FastChat treats an empty text the same way).
    public struct Message: Sendable, Equatable {
        public var role: String
        public var text: String?

        public init(role: String, text: String?) {
            self.role = role
            self.text = text
        }
    }

    /// FastChat's `stop_str`: none, one string, or a list; kept as given so it encodes back the same.
    public enum StopString: Sendable, Equatable {
        case none
        case single(String)
        case list([String])
    }

    public var name: String
    /// Contains `{system_message}` where the system message goes (Python `str.format` syntax).
    public var systemTemplate: String
    public var systemMessage: String
    /// The user's and the assistant's role names, in that order (FastChat's `roles`; one
    /// template, `llama2-chinese`, lists a third that no style uses).
    public var roles: [String]
    /// The few-shot turns the template starts with, then the conversation's own.
    public var messages: [Message]
    /// How many of ``messages`` are the template's few-shot examples.
    public var offset: Int
    /// `nil` for FastChat's API-only templates (`chatgpt`, `claude`-like), which have no prompt form.
    public var separatorStyle: SeparatorStyle?
    /// `nil` only in the API-only templates, as in FastChat.
    public var separator: String?
    public var separator2: String?
    public var stopString: StopString
    public var stopTokenIDs: [Int]?

    public init(
        name: String,
        systemTemplate: String = "{system_message}",
        systemMessage: String = "",
        roles: [String] = ["USER", "ASSISTANT"],
        messages: [Message] = [],
        offset: Int = 0,
        separatorStyle: SeparatorStyle?,
        separator: String? = "\n",
        separator2: String? = nil,
        stopString: StopString = .none,
        stopTokenIDs: [Int]? = nil
    ) {
        self.name = name
        self.systemTemplate = systemTemplate
        self.systemMessage = systemMessage
        self.roles = roles
        self.messages = messages
        self.offset = offset
        self.separatorStyle = separatorStyle
        self.separator = separator
        self.separator2 = separator2
        self.stopString = stopString
        self.stopTokenIDs = stopTokenIDs
    }

    /// The user's role name (FastChat's `roles[0]`).
    public var userRole: String { roles.first ?? "" }
    /// The assistant's role name (FastChat's `roles[1]`).
    public var assistantRole: String { roles.count > 1 ? roles[1] : "" }

    /// FastChat's `append_message`: `nil` text opens the turn the model is to complete.
    public mutating func append(role: String, text: String?) {
        messages.append(Message(role: role, text: text))
    }

    /// `stop_str` as a list, as FastChat's API server merges it with a request's `stop`.
    public var stopStrings: [String] {
        switch stopString {
        case .none: []
        case .single(let stop): [stop]
        case .list(let stops): stops
        }
    }
}
