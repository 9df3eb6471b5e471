extension ConversationTemplate {
    /// The prompt for the model: FastChat 0.2.36's `Conversation.get_prompt()` byte for byte
    /// (and current FastChat's for the four styles 0.2.36 lacks), including its quirks: an empty
    /// text renders as an open turn, `YUAN2` strips trailing `<`, `n` and `>` characters, `CHATGLM`
    /// numbers rounds from 1 only for the template named `chatglm2`.
    ///
    /// `nil` when the template has no separator style (FastChat raises for those).
    public func prompt() -> String? {
        guard let separatorStyle else { return nil }
        let system = PythonText.format(systemTemplate, systemMessage: systemMessage)
        let separator = self.separator ?? ""
        let seps = [separator, separator2 ?? ""]
        let turns = messages.enumerated().map { (index: $0.offset, role: $0.element.role, text: $0.element.text.flatMap { $0.isEmpty ? nil : $0 }) }
        var ret = ""
        switch separatorStyle {
        case .addColonSingle, .addColonSpaceSingle:
            ret = system + separator
            let open = separatorStyle == .addColonSingle ? ":" : ": "
            for turn in turns {
                ret += turn.text.map { turn.role + ": " + $0 + separator } ?? turn.role + open
            }
        case .addColonTwo:
            ret = system + seps[0]
            for turn in turns {
                ret += turn.text.map { turn.role + ": " + $0 + seps[turn.index % 2] } ?? turn.role + ":"
            }
        case .cllm:
            ret = system + seps[0]
            for (index, turn) in turns.suffix(2).enumerated() {
                ret += turn.text.map { turn.role + ": " + $0 + seps[index % 2] } ?? turn.role + ":"
            }
        case .addNewLineSingle:
            ret = system.isEmpty ? "" : system + separator
            for turn in turns {
                ret += turn.text.map { turn.role + "\n" + $0 + separator } ?? turn.role + "\n"
            }
        case .noColonSingle:
            ret = system
            for turn in turns {
                ret += turn.text.map { turn.role + $0 + separator } ?? turn.role
            }
        case .noColonTwo:
            ret = system
            for turn in turns {
                ret += turn.text.map { turn.role + $0 + seps[turn.index % 2] } ?? turn.role
            }
        case .rwkv:
            ret = system
            for turn in turns {
                if let text = turn.text {
                    let lines = PythonText.replace(PythonText.replace(text, "\r\n", with: "\n"), "\n\n", with: "\n")
                    ret += turn.role + ": " + lines + "\n\n"
                } else {
                    ret += turn.role + ":"
                }
            }
        case .llama2:
            ret = systemMessage.isEmpty ? "[INST] " : system
            for turn in turns {
                let tag = turn.index % 2 == 0 ? userRole : assistantRole
                if let text = turn.text {
                    ret += turn.index == 0 ? text + " " : tag + " " + text + seps[turn.index % 2]
                } else {
                    ret += tag
                }
            }
        case .llama3:
            ret = "<|begin_of_text|>" + (systemMessage.isEmpty ? "" : system)
            for turn in turns {
                ret += "<|start_header_id|>" + turn.role + "<|end_header_id|>\n\n"
                if let text = turn.text {
                    ret += PythonText.strip(text) + "<|eot_id|>"
                }
            }
        case .chatGLM:
            let firstRound = name == "chatglm2" ? 1 : 0
            ret = system.isEmpty ? "" : system + separator
            for turn in turns {
                if turn.index % 2 == 0 {
                    ret += "[Round \(turn.index / 2 + firstRound)]" + separator
                }
                ret += turn.text.map { turn.role + "：" + $0 + separator } ?? turn.role + "："
            }
        case .chatML:
            ret = system.isEmpty ? "" : system + separator + "\n"
            for turn in turns {
                ret += turn.text.map { turn.role + "\n" + $0 + separator + "\n" } ?? turn.role + "\n"
            }
        case .chatGLM3:
            ret = systemMessage.isEmpty ? "" : system
            for turn in turns {
                ret += turn.text.map { turn.role + "\n" + $0 } ?? turn.role
            }
        case .chatIntern:
            ret = system
            for turn in turns {
                if turn.index % 2 == 0 {
                    ret += "<s>"
                }
                ret += turn.text.map { turn.role + ":" + $0 + seps[turn.index % 2] + "\n" } ?? turn.role + ":"
            }
        case .dolly:
            ret = system
            for turn in turns {
                if let text = turn.text {
                    ret += turn.role + ":\n" + text + seps[turn.index % 2] + (turn.index % 2 == 1 ? "\n\n" : "")
                } else {
                    ret += turn.role + ":\n"
                }
            }
        case .phoenix:
            ret = system
            for turn in turns {
                ret += turn.role + ": <s>" + (turn.text.map { $0 + "</s>" } ?? "")
            }
        case .robin:
            ret = system + separator
            for turn in turns {
                ret += turn.text.map { turn.role + ":\n" + $0 + separator } ?? turn.role + ":\n"
            }
        case .falconChat:
            ret = systemMessage.isEmpty ? "" : system + separator
            for turn in turns {
                ret += turn.text.map { turn.role + ": " + $0 + separator } ?? turn.role + ":"
            }
        case .metaMath:
            ret = system.isEmpty ? "" : system + separator
            for turn in turns {
                // sep2 prefixes the assistant's message here.
                let user = turn.index % 2 == 0
                ret += turn.role + (user ? ":\n" : ": " + seps[1]) + (turn.text.map { $0 + (user ? separator : "") } ?? "")
            }
        case .deepseekChat:
            ret = system
            for turn in turns {
                ret += turn.text.map { turn.role + ": " + $0 + seps[turn.index % 2] } ?? turn.role + ":"
            }
        case .yuan2:
            ret = systemMessage.isEmpty ? "" : system + seps[1]
            for turn in turns {
                ret += turn.text.map { $0 + "<n>" } ?? ""
            }
            ret = PythonText.rstrip(ret, characters: "<n>") + seps[0]
        case .gemma:
            ret = "<bos>"
            for turn in turns {
                ret += "<start_of_turn>" + turn.role + "\n" + (turn.text.map { $0 + separator } ?? "")
            }
        case .default:
            ret = system + "\n"
            for turn in turns {
                ret += turn.text.map { turn.role + ": " + $0 + "\n" } ?? turn.role + ":"
            }
        }
        return ret
    }
}
