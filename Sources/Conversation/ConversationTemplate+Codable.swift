/// FastChat's `conv` dictionary, as `/worker_get_conv_template` serialises it.
///
/// Decoding reads either FastChat's numbering of `sep_style` (see ``SeparatorStyle/Numbering``):
/// a template with a `system_message_vision` key comes from FastChat's current sources, one
/// without from the 0.2.36 release. Encoding writes the release's shape, which FastChat 0.2.36's
/// `openai_api_server` reads, except for the four styles the release lacks, which it writes in the
/// current shape. Unknown keys are ignored; absent ones take FastChat's dataclass defaults.
extension ConversationTemplate: Codable {
    enum CodingKeys: String, CodingKey {
        case name, roles, messages, offset, sep, sep2
        case systemTemplate = "system_template"
        case systemMessage = "system_message"
        case systemMessageVision = "system_message_vision"
        case separatorStyle = "sep_style"
        case stopString = "stop_str"
        case stopTokenIDs = "stop_token_ids"
        case maxImageSizeMB = "max_image_size_mb"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let numbering: SeparatorStyle.Numbering = container.contains(.systemMessageVision) ? .current : .release
        var style: SeparatorStyle?
        if let value = try container.decodeIfPresent(Int.self, forKey: .separatorStyle) {
            guard let known = SeparatorStyle(fastChatValue: value, numbering: numbering) else {
                throw DecodingError.dataCorruptedError(forKey: .separatorStyle, in: container, debugDescription: "unknown sep_style \(value)")
            }
            style = known
        }
        let roles = try container.decodeIfPresent([String].self, forKey: .roles) ?? ["USER", "ASSISTANT"]
        guard roles.count >= 2 else {
            throw DecodingError.dataCorruptedError(forKey: .roles, in: container, debugDescription: "roles must name the user and the assistant")
        }
        self.init(
            name: try container.decode(String.self, forKey: .name),
            systemTemplate: try container.decodeIfPresent(String.self, forKey: .systemTemplate) ?? "{system_message}",
            systemMessage: try container.decodeIfPresent(String.self, forKey: .systemMessage) ?? "",
            roles: roles,
            messages: try container.decodeIfPresent([Message].self, forKey: .messages) ?? [],
            offset: try container.decodeIfPresent(Int.self, forKey: .offset) ?? 0,
            separatorStyle: style,
            separator: container.contains(.sep) ? try container.decodeIfPresent(String.self, forKey: .sep) : "\n",
            separator2: try container.decodeIfPresent(String.self, forKey: .sep2),
            stopString: try container.decodeIfPresent(StopString.self, forKey: .stopString) ?? .none,
            stopTokenIDs: try container.decodeIfPresent([Int].self, forKey: .stopTokenIDs)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let numbering: SeparatorStyle.Numbering = separatorStyle?.isInRelease == false ? .current : .release
        try container.encode(name, forKey: .name)
        try container.encode(systemTemplate, forKey: .systemTemplate)
        try container.encode(systemMessage, forKey: .systemMessage)
        if numbering == .current {
            try container.encode("", forKey: .systemMessageVision)
        }
        try container.encode(roles, forKey: .roles)
        try container.encode(messages, forKey: .messages)
        try container.encode(offset, forKey: .offset)
        try container.encode(separatorStyle?.fastChatValue(numbering: numbering), forKey: .separatorStyle)
        try container.encode(separator, forKey: .sep)
        try container.encode(separator2, forKey: .sep2)
        try container.encode(stopString, forKey: .stopString)
        try container.encode(stopTokenIDs, forKey: .stopTokenIDs)
        if numbering == .current {
            try container.encodeNil(forKey: .maxImageSizeMB)
        }
    }
}

/// `[role, text]`, where text is a string, `null` (the open turn), or FastChat's
/// `[text, [image...]]` of which only the text is kept.
extension ConversationTemplate.Message: Codable {
    public init(from decoder: any Decoder) throws {
        var pair = try decoder.unkeyedContainer()
        let role = try pair.decode(String.self)
        if try pair.decodeNil() {
            self.init(role: role, text: nil)
        } else if let text = try? pair.decode(String.self) {
            self.init(role: role, text: text)
        } else {
            var withImages = try pair.nestedUnkeyedContainer()
            self.init(role: role, text: try withImages.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var pair = encoder.unkeyedContainer()
        try pair.encode(role)
        try pair.encode(text)
    }
}

extension ConversationTemplate.StopString: Codable {
    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .none
        } else if let single = try? value.decode(String.self) {
            self = .single(single)
        } else {
            self = .list(try value.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var value = encoder.singleValueContainer()
        switch self {
        case .none: try value.encodeNil()
        case .single(let stop): try value.encode(stop)
        case .list(let stops): try value.encode(stops)
        }
    }
}
