import Foundation

/// Reads the record files the leaderboard imports: a JSON array (FastChat's dumps) or JSON lines
/// (exports, appendable logs), the first non-blank character telling which, with every error
/// located ("line 7", "record 7") so a bad record in a million can be found.
enum JSONRecords {
    /// Decodes each record as `Record`, then `check`s it; a `check` that throws a reason is
    /// reported at the record's location. Blank lines are skipped.
    static func decode<Record: Decodable, Output>(
        _ data: Data,
        check: (Record) throws(JSONRecordError) -> Output
    ) throws(FastChatBattle.FormatError) -> [Output] {
        let decoder = JSONDecoder()
        let first = data.first { !isBlank($0) }
        if first == UInt8(ascii: "[") {
            let records: [Record]
            do {
                records = try decoder.decode([Record].self, from: data)
            } catch {
                throw describe(error, lineNumber: nil)
            }
            var outputs: [Output] = []
            outputs.reserveCapacity(records.count)
            for (index, record) in records.enumerated() {
                do {
                    outputs.append(try check(record))
                } catch {
                    throw FastChatBattle.FormatError(location: "record \(index + 1)", reason: error.reason)
                }
            }
            return outputs
        }
        var outputs: [Output] = []
        for (offset, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { !isBlank($0) }) else { continue }
            let record: Record
            do {
                record = try decoder.decode(Record.self, from: line)
            } catch {
                throw describe(error, lineNumber: offset + 1)
            }
            do {
                outputs.append(try check(record))
            } catch {
                throw FastChatBattle.FormatError(location: "line \(offset + 1)", reason: error.reason)
            }
        }
        return outputs
    }

    private static func describe(_ error: any Error, lineNumber: Int?) -> FastChatBattle.FormatError {
        guard let error = error as? DecodingError else {
            return FastChatBattle.FormatError(location: lineNumber.map { "line \($0)" } ?? "JSON array", reason: "\(error)")
        }
        var path: [any CodingKey]
        let reason: String
        switch error {
        case .keyNotFound(let key, let context):
            path = context.codingPath
            reason = "missing key '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            path = context.codingPath
            reason = "wrong type for '\(path.last?.stringValue ?? "")': \(context.debugDescription)"
        case .dataCorrupted(let context):
            path = context.codingPath
            reason = path.last.map { "bad value for '\($0.stringValue)': \(context.debugDescription)" } ?? "not valid JSON"
        @unknown default:
            path = []
            reason = "\(error)"
        }
        if let lineNumber { return FastChatBattle.FormatError(location: "line \(lineNumber)", reason: reason) }
        // In an array the first path element is the record's index.
        guard let index = path.first?.intValue else { return FastChatBattle.FormatError(location: "JSON array", reason: reason) }
        path.removeFirst()
        return FastChatBattle.FormatError(location: "record \(index + 1)", reason: reason)
    }
}

/// Why a well-formed record was refused; ``JSONRecords`` adds where it is.
struct JSONRecordError: Error {
    var reason: String
}

/// JSON's insignificant whitespace.
private func isBlank(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
}
