// libFuzzer target: a hostile FastChat worker's bodies through what the gateway does with them
// (FastChatReplyStream's splitter → chunk parser → transcoder loop, and the non-streamed
// `/worker_generate` path). Input: a cut seed, a request-shape byte, then the worker's bodies
// (one per generation, separated by 0x01, a byte JSON cannot hold raw). Built only by Scripts/fuzz.
//
// Properties: no trap; the client's bytes do not depend on the network cuts; every event is
// `data: <JSON object>` and `[DONE]` ends the stream once; each choice's deltas, for a worker
// whose cumulative text only grows, are a prefix of its text holding no stop string, the whole
// text unless a stop string follows; one finish per choice unless an error ends the stream;
// the output stays within a fixed multiple of the input.
import Conversation
import FuzzSupport
import NIOCore
import SwitchyardCore
@testable import FastChatAdapter

/// The request the client sent, chosen from one input byte.
private struct Shape {
    var chat: Bool
    var stream: Bool
    var stops: [String]
    var n: Int
    var includeUsage: Bool
    var logprobs: Bool

    init(_ byte: UInt8) {
        chat = byte & 1 == 0
        stream = byte & 2 != 0
        stops = [[], ["\n"], ["ab", "abc", "b"], ["🌍", "é", "\u{FFFD}"]][Int(byte >> 2 & 3)]
        n = 1 + Int(byte >> 4 & 3)
        includeUsage = byte & 0x40 != 0
        logprobs = !chat && byte & 0x80 != 0
    }

    var request: String {
        let stop = "[" + stops.map { "\"\($0 == "\n" ? "\\n" : $0)\"" }.joined(separator: ",") + "]"
        let input = chat ? #""messages":[{"role":"user","content":"hi"}]"# : #""prompt":"p""#
        return #"{"model":"m",\#(input),"stream":\#(stream),"stop":\#(stop),"n":\#(n),"stream_options":{"include_usage":\#(includeUsage)}\#(logprobs ? #","logprobs":2"# : "")}"#
    }
}

/// What one generation's worker objects came to, for the text checks.
private struct Generation {
    /// Cleaned cumulative texts (U+FFFD dropped) the transcoder consumed.
    var texts: [[Unicode.Scalar]] = []
    var failed = false
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFastChat(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 1 else { return 0 }
    let seed = data[0]
    let shape = Shape(data[1])
    let input = Array(UnsafeBufferPointer(start: data + 2, count: size - 2))
    guard
        let job = try? FastChatJob(ByteBuffer(string: shape.request), endpoint: shape.chat ? .chatCompletions : .completions,
                                   template: .init(name: "t", separatorStyle: .addColonSingle), servedModel: "m"),
        let generations = try? job.generations(promptTokens: [1], contextLength: 4096)
    else { preconditionFailure("the fuzzer's request was refused: \(shape.request)") }
    precondition(generations.count == shape.n)
    var bodies = input.split(separator: 0x01, maxSplits: shape.n - 1, omittingEmptySubsequences: false).map(Array.init)
    bodies += Array(repeating: [], count: shape.n - bodies.count)

    if !shape.stream {
        checkBody(job: job, generations: generations, bodies: bodies, inputCount: input.count)
        return 0
    }
    let (whole, records, objects) = stream(job: job, generations: generations, bodies: bodies.map { [$0] })
    let (pieces, _, _) = stream(job: job, generations: generations, bodies: bodies.enumerated().map { cut($1, seed: seed &+ UInt8(truncatingIfNeeded: $0)) })
    precondition(whole == pieces, "the client's bytes depend on the network cuts")
    precondition(whole.readableBytes <= 16 * input.count + 600 * (objects + 3 * shape.n + 2), "output out of proportion to the input")
    checkEvents(whole, shape: shape, stops: generations[0].stop, records: records)
    return 0
}

/// FastChatReplyStream's loop without the network: each generation's reads, then `end()`.
private func stream(job: FastChatJob, generations: [FastChatParameters], bodies: [[[UInt8]]]) -> (ByteBuffer, [Generation], Int) {
    var transcoder = FastChatTranscoder(job: job, id: "x", created: 1)
    var out = ByteBuffer()
    var records: [Generation] = []
    var objects = 0
    generations: for (index, generation) in generations.enumerated() {
        out.writeImmutableBuffer(transcoder.begin(generation, index: index))
        var splitter = FastChatChunkSplitter()
        var record = Generation()
        var open = true
        let reads = bodies[index].map(Optional.some) + [nil]
        for read in reads where open {
            let chunks: [FastChatChunk]
            do throws(FastChatWorkerFailure) {
                if let failure = splitter.failure { throw failure }
                if let read {
                    chunks = try splitter.feed(ByteBuffer(bytes: read))
                } else {
                    chunks = try splitter.finish().map { [$0] } ?? []
                }
            } catch {
                out.writeImmutableBuffer(FastChatTranscoder.errorEvent(error.openAIError))
                record.failed = true
                return (out, records + [record], objects)
            }
            for chunk in chunks where open {
                objects += 1
                let step = transcoder.consume(chunk)
                if case .failed = step {} else {
                    record.texts.append(chunk.text.unicodeScalars.filter { $0 != "\u{FFFD}" })
                }
                switch step {
                case .more(let bytes): out.writeImmutableBuffer(bytes)
                case .finished(let bytes): out.writeImmutableBuffer(bytes); open = false
                case .failed(let error, _):
                    out.writeImmutableBuffer(FastChatTranscoder.errorEvent(error))
                    record.failed = true
                    return (out, records + [record], objects)
                }
            }
        }
        if open { out.writeImmutableBuffer(transcoder.endOfBody()) }
        records.append(record)
    }
    out.writeImmutableBuffer(transcoder.end())
    return (out, records, objects)
}

/// The stream's events: framing, order, one finish per choice, the texts against the worker's.
private func checkEvents(_ out: ByteBuffer, shape: Shape, stops: [String], records: [Generation]) {
    let bytes = Array(out.readableBytesView)
    precondition(bytes.suffix(2) == [0x0A, 0x0A], "the stream does not end with an event's end")
    var events = bytes.dropLast(2).split(separator: [0x0A, 0x0A], omittingEmptySubsequences: false)
    precondition(events.last?.elementsEqual("data: [DONE]".utf8) == true, "the stream does not end with [DONE]")
    events.removeLast()
    var texts = Array(repeating: [Unicode.Scalar](), count: shape.n)
    var finishes = Array(repeating: 0, count: shape.n)
    var lastIndex = 0
    var sawError = false
    var sawUsage = false
    for event in events {
        precondition(event.starts(with: "data: ".utf8) && !event.contains(0x0A), "an event that is not one data line")
        let payload = ByteBuffer(bytes: event.dropFirst(6))
        guard let value = try? JSONValue(parsing: payload), value.object != nil else { preconditionFailure("an event that is not a JSON object") }
        precondition(!sawError && !sawUsage, "an event after the error or usage event")
        if value["error"] != nil {
            sawError = true
            continue
        }
        guard let choices = value["choices"]?.array else { preconditionFailure("an event without choices") }
        if choices.isEmpty {
            precondition(shape.includeUsage && value["usage"]?.object != nil, "a choiceless event that is no asked-for usage")
            sawUsage = true
            continue
        }
        precondition(choices.count == 1)
        let choice = choices[0]
        guard let index = choice["index"]?.integer, index >= lastIndex, index < shape.n else { preconditionFailure("a choice out of order") }
        lastIndex = index
        precondition(finishes[index] == 0, "an event after its choice's finish")
        let text = shape.chat ? choice["delta"]?["content"]?.string : choice["text"]?.string
        texts[index] += text?.unicodeScalars ?? "".unicodeScalars
        if let reason = choice["finish_reason"]?.string {
            precondition(reason == "stop" || reason == "length", "finish reason \(reason) is not OpenAI's")
            finishes[index] += 1
        }
    }
    let stops = stops.map { Array($0.unicodeScalars) }
    for (index, record) in records.enumerated() {
        let finished = !record.failed
        precondition(finishes[index] == (finished ? 1 : 0), "choice \(index) has \(finishes[index]) finishes")
        checkText(texts[index], worker: record.texts, stops: stops, whole: finished)
    }
    for index in records.count..<shape.n { precondition(texts[index].isEmpty && finishes[index] == 0) }
}

/// The non-streamed path: each `/worker_generate` body parsed whole, the answer a JSON body.
private func checkBody(job: FastChatJob, generations: [FastChatParameters], bodies: [[UInt8]], inputCount: Int) {
    var answers: [(FastChatParameters, FastChatChunk)] = []
    for (generation, body) in zip(generations, bodies) {
        guard let chunk = try? FastChatChunk(parsing: ByteBuffer(bytes: body)) else { return }
        answers.append((generation, chunk))
    }
    var transcoder = FastChatTranscoder(job: job, id: "x", created: 1)
    guard let body = try? transcoder.body(answers) else { return }
    precondition(body.readableBytes <= 16 * inputCount + 600 * (answers.count + 2), "body out of proportion to the input")
    guard let value = try? JSONValue(parsing: body), let choices = value["choices"]?.array, choices.count == answers.count
    else { preconditionFailure("the body is not a JSON answer with every choice") }
    let stops = generations[0].stop.map { Array($0.unicodeScalars) }
    for (choice, (_, chunk)) in zip(choices, answers) {
        let text = job.kind == .chat ? choice["message"]?["content"]?.string : choice["text"]?.string
        guard let text else { preconditionFailure("a choice without its text") }
        checkText(Array(text.unicodeScalars), worker: [chunk.text.unicodeScalars.filter { $0 != "\u{FFFD}" }], stops: stops, whole: true)
    }
}

/// The client's text for one choice against the worker's cleaned cumulative texts.
private func checkText(_ sent: [Unicode.Scalar], worker texts: [[Unicode.Scalar]], stops: [[Unicode.Scalar]], whole: Bool) {
    var latest: [Unicode.Scalar] = []
    var grows = true
    for text in texts {
        if text.count > latest.count {
            grows = grows && text.starts(with: latest)
            latest = text
        } else {
            grows = grows && latest.starts(with: text)
        }
    }
    precondition(sent.count <= latest.count, "more text sent than the worker wrote")
    // A worker rewriting its text gets only extensions sent, as FastChat does; nothing more to say.
    guard grows else { return }
    precondition(latest.starts(with: sent), "the text sent is not the worker's")
    let stopsAt = { (position: Int) in stops.contains { !$0.isEmpty && latest[position...].starts(with: $0) } }
    precondition(!(0..<sent.count).contains(where: stopsAt), "a stop string was sent")
    if whole { precondition(sent.count == latest.count || stopsAt(sent.count), "text held back at the end") }
}

@_cdecl("FuzzFastChat_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzFastChat)
}
