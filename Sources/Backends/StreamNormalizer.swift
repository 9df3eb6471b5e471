import Foundation
import NIOCore
import SwitchyardCore

/// Turns an upstream's server-sent events into the exact framing OpenAI clients parse.
///
/// Fed the upstream's bytes in whatever chunks they arrive, it returns what to send on:
/// - only `data: <json>\n\n` events, each re-encoded only when it has to change, else relayed byte
///   for byte; `id:`, `retry:` and `event:` lines are dropped (they make the OpenAI SDK dispatch
///   empty events);
/// - `delta.role` only in the first delta of each choice (Ollama repeats it in every chunk, which
///   the SDK's stream accumulator concatenates into `"assistantassistant..."`);
/// - every error, whether llama.cpp's `error:` field, TGI's string error or a numeric-code object,
///   as `data: {"error": {"message", "type", "param", "code"}}`;
/// - comments as `:<text>\n\n`, since they are the keep-alives that stop proxies and the gateway
///   timing out a long prompt, and every SSE parser ignores them;
/// - exactly one ending: the upstream's `data: [DONE]`, or one ``finish()`` supplies.
///
/// Lines may end in `\n`, `\r\n` or `\r`. It does no I/O, so it is tested on bytes alone.
public struct StreamNormalizer: Sendable {
    /// Bytes of a line not yet terminated.
    private var partialLine: [UInt8] = []
    /// The previous chunk ended in `\r`, so a leading `\n` belongs to that line ending.
    private var skipsLineFeed = false
    private var event = Event()
    private var choicesWithRole: Set<Int> = []
    private var openChoices: Set<Int> = []
    private var finishedChoices: Set<Int> = []
    private var reportedError = false
    /// `[DONE]` went out; nothing may follow it.
    public private(set) var isFinished = false
    /// A chunk of the reply went out.
    public private(set) var hasRelayedContent = false
    /// The error the stream opened with, before any content: a worker that has not answered yet
    /// can still send it with a real status, which clients and the gateway retry on.
    public private(set) var leadingError: OpenAIError?

    public init() {}

    /// The fields of the event being read.
    private struct Event {
        var data: [UInt8]? = nil
        var error: [UInt8]? = nil
    }

    /// Feeds upstream bytes; returns the normalised bytes they complete.
    public mutating func feed(_ bytes: ByteBuffer) -> ByteBuffer {
        var output = ByteBuffer()
        bytes.withUnsafeReadableBytes { bytes in
            var rest = bytes[...]
            if skipsLineFeed, let first = rest.first {
                skipsLineFeed = false
                if first == Self.lineFeed { rest = rest.dropFirst() }
            }
            while let end = rest.firstIndex(where: { $0 == Self.lineFeed || $0 == Self.carriageReturn }) {
                partialLine.append(contentsOf: rest[..<end])
                rest = rest[(end + 1)...]
                if bytes[end] == Self.carriageReturn {
                    if let next = rest.first {
                        if next == Self.lineFeed { rest = rest.dropFirst() }
                    } else {
                        skipsLineFeed = true
                    }
                }
                endLine(into: &output)
            }
            partialLine.append(contentsOf: rest)
        }
        return output
    }

    /// The upstream ended: returns what completes the stream. A last event without its blank line
    /// still counts; then `[DONE]` if every choice finished, else an error event, since the stream broke.
    public mutating func finish() -> ByteBuffer {
        var output = ByteBuffer()
        if !partialLine.isEmpty { endLine(into: &output) }
        dispatch(into: &output)
        guard !isFinished, !reportedError else { return output }
        if !openChoices.isEmpty && openChoices.isSubset(of: finishedChoices) {
            output.writeImmutableBuffer(.serverSentEventsDone)
            isFinished = true
        } else {
            let error = UpstreamError(message: "The model server's stream ended before the reply was complete.")
            write(error, into: &output)
        }
        return output
    }

    private mutating func endLine(into output: inout ByteBuffer) {
        let line = partialLine
        partialLine.removeAll(keepingCapacity: true)
        guard !isFinished else { return }
        if line.isEmpty {
            dispatch(into: &output)
        } else if line.first == UInt8(ascii: ":") {
            output.writeBytes(line)
            output.writeString("\n\n")
        } else {
            read(field: line)
        }
    }

    private mutating func read(field line: [UInt8]) {
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        var value = line[colon...].dropFirst()
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        switch String(decoding: line[..<colon], as: UTF8.self) {
        case "data":
            if event.data == nil {
                event.data = Array(value)
            } else {
                event.data!.append(UInt8(ascii: "\n"))
                event.data!.append(contentsOf: value)
            }
        case "error":
            event.error = Array(value)
        default:
            // `id`, `retry`, `event` and unknown fields: OpenAI streams carry none.
            break
        }
    }

    private mutating func dispatch(into output: inout ByteBuffer) {
        let event = self.event
        self.event = Event()
        guard !isFinished else { return }
        if let field = event.error {
            let error = UpstreamError(errorField: field) ?? UpstreamError(message: String(decoding: field, as: UTF8.self))
            write(error, into: &output)
        }
        guard let data = event.data else { return }
        if data.starts(with: Self.done) {
            output.writeImmutableBuffer(.serverSentEventsDone)
            isFinished = true
            return
        }
        if relayedUnchanged(data) {
            hasRelayedContent = true
            output.writeImmutableBuffer(.serverSentEvent(data))
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(data)) as? [String: Any] else {
            // Not JSON: nothing to normalise; keep it one event.
            hasRelayedContent = true
            output.writeImmutableBuffer(.serverSentEvent(data.map { $0 == Self.lineFeed ? UInt8(ascii: " ") : $0 }))
            return
        }
        if let error = UpstreamError(object: object) {
            write(error, into: &output)
            return
        }
        var choices = object["choices"] as? [[String: Any]] ?? []
        var stripsRole = false
        for position in choices.indices {
            let index = choices[position]["index"] as? Int ?? 0
            openChoices.insert(index)
            if choices[position]["finish_reason"] as? String != nil { finishedChoices.insert(index) }
            guard var delta = choices[position]["delta"] as? [String: Any], delta["role"] != nil else { continue }
            if choicesWithRole.insert(index).inserted { continue }
            delta["role"] = nil
            choices[position]["delta"] = delta
            stripsRole = true
        }
        if stripsRole || data.contains(Self.lineFeed) {
            var changed = object
            if stripsRole { changed["choices"] = choices }
            if let encoded = try? JSONSerialization.data(withJSONObject: changed, options: [.sortedKeys, .withoutEscapingSlashes]) {
                hasRelayedContent = true
                output.writeImmutableBuffer(.serverSentEvent(encoded))
                return
            }
        }
        hasRelayedContent = true
        output.writeImmutableBuffer(.serverSentEvent(data))
    }

    /// The common event, read with the one-pass parser: a one-line chunk that is no error and
    /// repeats no choice's role goes on as it came, its choices noted. Anything else (`false`,
    /// nothing noted) takes the `JSONSerialization` path below, which can rewrite it; that path
    /// cost about 20 µs an event.
    private mutating func relayedUnchanged(_ data: [UInt8]) -> Bool {
        guard !data.contains(Self.lineFeed),
            let fields = (try? JSONValue(parsing: ByteBuffer(bytes: data)))?.object,
            fields["error"] == nil, fields["object"]?.string != "error"
        else { return false }
        let items = fields["choices"]?.array ?? []
        let choices = items.compactMap(\.object)
        // Like the old path's `as? [[String: Any]]`: choices that are not all objects are not read.
        guard choices.count == items.count else { return true }
        var roles = choicesWithRole
        for choice in choices where choice["delta"]?.object?["role"] != nil {
            guard roles.insert(choice["index"]?.integer ?? 0).inserted else { return false }
        }
        for choice in choices {
            let index = choice["index"]?.integer ?? 0
            openChoices.insert(index)
            if choice["finish_reason"]?.string != nil { finishedChoices.insert(index) }
        }
        choicesWithRole = roles
        return true
    }

    private mutating func write(_ error: UpstreamError, into output: inout ByteBuffer) {
        let normalised = error.openAIError(upstreamStatus: 200)
        if !hasRelayedContent && !reportedError { leadingError = normalised }
        reportedError = true
        output.writeImmutableBuffer(.serverSentEvent(Self.encoded(normalised)))
    }

    /// The error's body with its keys in a fixed order, so equal input always gives equal output.
    private static func encoded(_ error: OpenAIError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let event = ErrorEvent(error: .init(message: error.message, type: error.type, param: error.param, code: error.code))
        return (try? encoder.encode(event)) ?? Data()
    }

    private struct ErrorEvent: Encodable {
        var error: OpenAIError.Body.Detail
    }

    private static let done: [UInt8] = Array("[DONE]".utf8)
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
}
