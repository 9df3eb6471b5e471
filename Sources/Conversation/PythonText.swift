/// The few Python `str` operations FastChat's `get_prompt()` uses, on Unicode scalars as Python
/// counts them (Swift's `String` compares and searches by grapheme, which would treat `"\r\n"` as
/// one character and never find the `"\n"` inside it).
enum PythonText {
    /// `template.format(system_message=value)`: `{system_message}` is replaced and `{{`/`}}`
    /// unescaped; any other field, which would make Python raise, stays as written.
    static func format(_ template: String, systemMessage value: String) -> String {
        let field = Array("{system_message}".unicodeScalars)
        let scalars = Array(template.unicodeScalars)
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            if (scalar == "{" || scalar == "}") && next == scalar {
                result.append(scalar)
                index += 2
            } else if scalar == "{" && scalars[index...].starts(with: field) {
                result.append(contentsOf: value.unicodeScalars)
                index += field.count
            } else {
                result.append(scalar)
                index += 1
            }
        }
        return String(result)
    }

    /// `text.replace(old, new)`: every non-overlapping occurrence, left to right.
    static func replace(_ text: String, _ old: String, with new: String) -> String {
        let target = Array(old.unicodeScalars)
        let scalars = Array(text.unicodeScalars)
        guard !target.isEmpty else { return text }
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index...].starts(with: target) {
                result.append(contentsOf: new.unicodeScalars)
                index += target.count
            } else {
                result.append(scalars[index])
                index += 1
            }
        }
        return String(result)
    }

    /// `text.strip()`: Python's whitespace removed from both ends.
    static func strip(_ text: String) -> String {
        trimming(text, leading: true) { isSpace($0) }
    }

    /// `text.rstrip(characters)`: every trailing scalar found in `characters` removed (a set of
    /// characters, not a suffix: `"fun<n>".rstrip("<n>")` is `"fu"`).
    static func rstrip(_ text: String, characters: String) -> String {
        let set = Set(characters.unicodeScalars)
        return trimming(text, leading: false) { set.contains($0) }
    }

    private static func trimming(_ text: String, leading: Bool, _ drop: (Unicode.Scalar) -> Bool) -> String {
        var scalars = Substring(text).unicodeScalars
        while let last = scalars.last, drop(last) { scalars.removeLast() }
        while leading, let first = scalars.first, drop(first) { scalars.removeFirst() }
        return String(scalars)
    }

    /// Python's `str.isspace()` for one scalar.
    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }
}
