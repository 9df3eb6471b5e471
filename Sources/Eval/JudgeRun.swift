import Foundation

/// `switchyard eval judge`: asks a judge model behind the gateway for every verdict of the plan
/// (``JudgeMatch/plan(mode:questions:models:baseline:answers:)``) not already in the judgment file,
/// appending each as it comes. A verdict the judge's reply does not hold is recorded as FastChat
/// records it (score -1, winner "error") and counted; a request that fails is not recorded, so
/// the next run asks again.
public struct JudgeRun: Sendable {
    public var judge: String
    public var mode: JudgeMode
    public var matches: [JudgeMatch]
    public var directory: EvalDirectory
    public var concurrency: Int
    public var maxTokens: Int

    public init(judge: String, mode: JudgeMode, matches: [JudgeMatch], directory: EvalDirectory, concurrency: Int, maxTokens: Int) {
        self.judge = judge
        self.mode = mode
        self.matches = matches
        self.directory = directory
        self.concurrency = max(1, concurrency)
        self.maxTokens = maxTokens
    }

    public struct Summary: Sendable, Equatable {
        public var written = 0
        public var skipped = 0
        /// Replies without a usable verdict (a pair counts each of its two games).
        public var unparseable = 0
        public var failures: [String] = []
    }

    public var path: String {
        mode.isPairwise ? directory.pairJudgments(by: judge) : directory.singleJudgments(by: judge)
    }

    /// The matches without a judgment by this judge model in `done`.
    public static func pending(_ matches: [JudgeMatch], done: Set<JudgeMatch.Key>) -> [JudgeMatch] {
        matches.filter { !done.contains($0.key) }
    }

    public func run(client: ChatClient, progress: (Int) -> ProgressReporter) async throws -> Summary {
        let judge = self.judge
        let done: Set<JudgeMatch.Key> =
            if mode.isPairwise {
                Set(try JSONLines.read(PairJudgment.self, at: path).values.filter { $0.judge.model == judge }.map(\.key))
            } else {
                Set(try JSONLines.read(SingleJudgment.self, at: path).values.filter { $0.judge.model == judge }.map(\.key))
            }
        let todo = Self.pending(matches, done: done)
        var summary = Summary(skipped: matches.count - todo.count)
        let writer = try JSONLinesWriter(path: path)
        let reporter = progress(todo.count)
        let maxTokens = self.maxTokens
        await concurrently(todo, limit: concurrency) { match in
            try await Self.judge(match, judge: judge, client: client, maxTokens: maxTokens)
        } collect: { match, result in
            do {
                let judgment = try result.get()
                switch judgment {
                case .single(let line): try await writer.append(line)
                case .pair(let line): try await writer.append(line)
                }
                summary.written += 1
                summary.unparseable += judgment.unparseableCount
                reporter.finished(failed: false)
            } catch {
                let failure = "question \(match.questionID), turn \(match.turn), \(match.models.joined(separator: " vs ")): \(error)"
                reporter.note(failure)
                summary.failures.append(failure)
                reporter.finished(failed: true)
            }
        }
        try await writer.close()
        return summary
    }

    enum Judgment: Sendable {
        case single(SingleJudgment)
        case pair(PairJudgment)

        var unparseableCount: Int {
            switch self {
            case .single(let line): line.isUnparseable ? 1 : 0
            case .pair(let line): line.unparseableCount
            }
        }
    }

    static func judge(_ match: JudgeMatch, judge: String, client: ChatClient, maxTokens: Int) async throws -> Judgment {
        func ask(_ prompt: JudgePrompt) async throws -> String {
            try await client.complete(model: judge, messages: prompt.messages, temperature: 0, maxTokens: maxTokens)
        }
        switch match.kind {
        case .single(let model, let prompt):
            let reply = try await ask(prompt)
            let score = (try? Verdict.rating(in: reply).get()) ?? SingleJudgment.unparseable
            return .single(SingleJudgment(
                questionID: match.questionID, model: model, judge: JudgeIdentity(model: judge, prompt: prompt.name),
                userPrompt: prompt.user, judgment: reply, score: score, turn: match.turn
            ))
        case .pair(let model1, let model2, let g1, let g2):
            async let first = ask(g1)
            let second = try await ask(g2)
            let firstReply = try await first
            return .pair(PairJudgment(
                questionID: match.questionID, model1: model1, model2: model2,
                g1Winner: Verdict.winner(in: firstReply, modelShownFirst: .model1),
                g2Winner: Verdict.winner(in: second, modelShownFirst: .model2),
                judge: JudgeIdentity(model: judge, prompt: g1.name),
                g1UserPrompt: g1.user, g1Judgment: firstReply, g2UserPrompt: g2.user, g2Judgment: second, turn: match.turn
            ))
        }
    }
}

extension JudgeMatch {
    var models: [String] {
        switch kind {
        case .single(let model, _): [model]
        case .pair(let model1, let model2, _, _): [model1, model2]
        }
    }
}
