/// Where an evaluation keeps its files, in FastChat's layout under one directory:
/// `question.jsonl`, `model_answer/<model>.jsonl`, `model_judgment/<judge>_single.jsonl` and
/// `<judge>_pair.jsonl`, so FastChat's `show_result.py` reads them as they are.
public struct EvalDirectory: Sendable, Equatable {
    public var path: String

    public init(path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    public var questions: String { path + "/question.jsonl" }
    public var answerDirectory: String { path + "/model_answer" }
    public var judgmentDirectory: String { path + "/model_judgment" }

    public func answers(of model: String) -> String { answerDirectory + "/" + Self.fileName(model) + ".jsonl" }
    public func singleJudgments(by judge: String) -> String { judgmentDirectory + "/" + Self.fileName(judge) + "_single.jsonl" }
    public func pairJudgments(by judge: String) -> String { judgmentDirectory + "/" + Self.fileName(judge) + "_pair.jsonl" }
    public func chart(_ name: String) -> String { path + "/" + name + ".svg" }

    /// A model name as a file name, as FastChat uses it, except that a character which could leave
    /// the directory or hide the file (a slash, a leading dot, a control character) becomes `_`;
    /// the lines inside the file carry the real name.
    public static func fileName(_ model: String) -> String {
        var name = String(model.unicodeScalars.map { scalar in
            scalar == "/" || scalar == "\\" || scalar.properties.generalCategory == .control ? "_" : Character(scalar)
        })
        if name.hasPrefix(".") { name = "_" + name.dropFirst() }
        return name.isEmpty ? "_" : String(name.prefix(200))
    }
}
