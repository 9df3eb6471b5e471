import Conversation
import SwitchyardCore

extension FastChatJob {
    /// Lays OpenAI messages into the template as FastChat's API server does: a system (or
    /// developer) message replaces the template's, user turns take `roles[0]`, assistant turns
    /// `roles[1]`, text parts join with a newline, and an open assistant turn ends the prompt.
    ///
    /// What FastChat answers with a 500 (tool and function turns, which it has no role for) or
    /// passes on to multimodal workers only (images) is refused with a 400 naming the part.
    static func prompt(from messages: [JSONValue], template: inout ConversationTemplate) throws -> String {
        for (index, message) in messages.enumerated() {
            let path = "messages[\(index)]"
            let role = message["role"]?.string ?? ""
            switch role {
            case "system", "developer":
                template.systemMessage = try text(of: message, path: path) ?? ""
            case "user":
                template.append(role: template.userRole, text: try text(of: message, path: path) ?? "")
            case "assistant":
                guard let text = try text(of: message, path: path) else {
                    throw OpenAIError.badRequest(
                        "Invalid '\(path).content': an assistant turn without text (tool calls only) has no place in this model's conversation template.",
                        param: "\(path).content", code: "invalid_value"
                    )
                }
                template.append(role: template.assistantRole, text: text)
            default:
                throw OpenAIError.badRequest(
                    "Invalid '\(path).role': '\(role)' turns have no place in this model's conversation template; it takes system, user and assistant turns.",
                    param: "\(path).role", code: "invalid_value"
                )
            }
        }
        template.append(role: template.assistantRole, text: nil)
        guard let prompt = template.prompt() else {
            // FastChat's API-only templates (`chatgpt`-like) have no prompt form: the worker is misconfigured.
            throw OpenAIError.badGateway("The worker's conversation template '\(template.name.clipped(toUTF8Count: 64))' has no prompt form.")
        }
        return prompt
    }

    /// A message's text: a string, or its text parts joined with a newline; nil for null content.
    static func text(of message: JSONValue, path: String) throws -> String? {
        switch message["content"] {
        case .string(let text)?:
            return text
        case .array(let parts)?:
            var texts: [String] = []
            for (index, part) in parts.enumerated() {
                guard part["type"]?.string == "text", let text = part["text"]?.string else {
                    throw OpenAIError.badRequest(
                        "Invalid '\(path).content[\(index)]': this model's worker takes text parts only, not '\(part["type"]?.string ?? "untyped")' parts.",
                        param: "\(path).content[\(index)]", code: "invalid_value"
                    )
                }
                texts.append(text)
            }
            return texts.joined(separator: "\n")
        default:
            return nil
        }
    }
}
