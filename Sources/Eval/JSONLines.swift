import Foundation

/// Reading and appending the JSON-lines files of an evaluation (FastChat's formats).
public enum JSONLines {
    /// The largest file read whole: far above MT-Bench's few megabytes, far below a memory problem.
    public static let maxFileBytes = 256 << 20

    /// The decodable lines of `text` and the line numbers (from 1) of those that were not: a line
    /// cut short by an interrupted run is skipped and redone, never fatal.
    public static func decode<Value: Decodable>(_ type: Value.Type, from text: String) -> (values: [Value], bad: [Int]) {
        let decoder = JSONDecoder()
        var values: [Value] = []
        var bad: [Int] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            if let value = try? decoder.decode(Value.self, from: Data(line.utf8)) {
                values.append(value)
            } else {
                bad.append(index + 1)
            }
        }
        return (values, bad)
    }

    /// The lines of the file at `path`; an absent file has none.
    public static func read<Value: Decodable>(_ type: Value.Type, at path: String) throws -> (values: [Value], bad: [Int]) {
        guard FileManager.default.fileExists(atPath: path) else { return ([], []) }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes[.size] as? Int, size > maxFileBytes {
            throw EvalError("\(path) is larger than \(maxFileBytes >> 20) MB.")
        }
        return decode(type, from: try String(contentsOfFile: path, encoding: .utf8))
    }

    /// One line of JSON: FastChat's key names, no pretty printing.
    public static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Appends lines to one file from concurrent tasks, each line whole, so that an interrupted run
/// leaves every finished result behind for the next one to resume from.
public actor JSONLinesWriter {
    private let handle: FileHandle

    public init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw EvalError("Cannot create \(path).") }
        }
        handle = try FileHandle(forUpdating: url)
        let end = try handle.seekToEnd()
        // A line cut short by a killed run must not swallow the next one.
        if end > 0 {
            try handle.seek(toOffset: end - 1)
            let last = try handle.read(upToCount: 1)
            try handle.seekToEnd()
            if last != Data("\n".utf8) { try handle.write(contentsOf: Data("\n".utf8)) }
        }
    }

    public func append(_ value: some Encodable & Sendable) throws {
        try handle.write(contentsOf: Data((try JSONLines.encode(value) + "\n").utf8))
    }

    public func close() throws {
        try handle.close()
    }
}
