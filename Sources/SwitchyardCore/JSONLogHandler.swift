import Foundation
import Logging

/// Writes each log event as one JSON line on standard error, for log pipelines (Loki, Vector,
/// Elasticsearch) that index fields instead of parsing text.
///
/// `{"ts":"2026-11-29T09:10:00.123Z","level":"info","logger":"switchyard.gateway","msg":"request","request_id":"…"}`
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Handlers mostly carry no metadata of their own: then the event's is all there is to merge.
        var merged = event.metadata ?? [:]
        if !metadata.isEmpty || metadataProvider != nil {
            merged = metadata.merging(metadataProvider?.get() ?? [:]) { $1 }.merging(merged) { $1 }
        }
        var line = Self.line(time: Date(), level: event.level, label: label, message: event.message.description, metadata: merged)
        line.append(UInt8(ascii: "\n"))
        // One write per line, so lines from concurrent tasks never interleave.
        line.withUnsafeBytes { _ = Foundation.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// The JSON line for one event; fixed fields first, then metadata in key order.
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> [UInt8] {
        var text = "{\"ts\":" + quoted(timestamp(time)) + ",\"level\":" + quoted(level.rawValue)
        text += ",\"logger\":" + quoted(label) + ",\"msg\":" + quoted(message)
        for key in metadata.keys.sorted() where !fixedKeys.contains(key) {
            text += "," + quoted(key) + ":" + json(metadata[key]!)
        }
        text += "}"
        return Array(text.utf8)
    }

    static let fixedKeys: Set = ["ts", "level", "logger", "msg"]

    /// ISO 8601 in UTC with milliseconds, from `gmtime_r`: Foundation's formatters cost more than
    /// the rest of a request log line.
    static func timestamp(_ time: Date) -> String {
        let interval = time.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let milliseconds = Int((interval - interval.rounded(.down)) * 1000)
        let fields: [(value: Int32, width: Int, separator: UInt8)] = [
            (parts.tm_year + 1900, 4, UInt8(ascii: "-")), (parts.tm_mon + 1, 2, UInt8(ascii: "-")), (parts.tm_mday, 2, UInt8(ascii: "T")),
            (parts.tm_hour, 2, UInt8(ascii: ":")), (parts.tm_min, 2, UInt8(ascii: ":")), (parts.tm_sec, 2, UInt8(ascii: ".")),
            (Int32(milliseconds), 3, UInt8(ascii: "Z")),
        ]
        return String(unsafeUninitializedCapacity: 24) { text in
            var position = 0
            for field in fields {
                var value = field.value
                for digit in (0..<field.width).reversed() {
                    text[position + digit] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                text[position + field.width] = field.separator
                position += field.width + 1
            }
            return position
        }
    }

    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .stringConvertible(let convertible as any BinaryInteger): convertible.description
        case .stringConvertible(let convertible as Double) where convertible.isFinite: convertible.description
        case .stringConvertible(let convertible): quoted(convertible.description)
        case .array(let items): "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let entries): "{" + entries.sorted { $0.key < $1.key }.map { quoted($0.key) + ":" + json($0.value) }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ text: String) -> String {
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + text + "\""
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
