import Foundation
import HTTPTypes
import Hummingbird

/// A shared secret (API key, registration or admin token) that a request presents as
/// `Authorization: Bearer SECRET`.
///
/// Matching takes the same time wherever the presented value first differs, so an attacker
/// cannot guess a secret byte by byte from response times.
public struct AccessToken: Sendable, Hashable {
    let bytes: [UInt8]

    /// Nil for an empty or blank secret, which would let anyone in.
    public init?(_ secret: String) {
        let trimmed = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        bytes = Array(trimmed.utf8)
    }

    /// Whether `presented` is this secret, in time that depends only on this secret's length.
    public func matches(_ presented: some StringProtocol) -> Bool {
        let candidate = Array(presented.utf8)
        // Every byte of the secret is compared, and a length mismatch is folded in, not returned early.
        var difference: UInt8 = bytes.count == candidate.count ? 0 : 1
        for index in bytes.indices {
            let other = index < candidate.count ? candidate[index] : ~bytes[index]
            difference |= bytes[index] ^ other
        }
        return difference == 0
    }

    /// A random secret for processes that share it in memory (`switchyard up`).
    public static func random() -> AccessToken {
        var generator = SystemRandomNumberGenerator()
        let hex = (0..<4).map { _ in String(generator.next(), radix: 16).leftPadded(to: 16) }.joined()
        return AccessToken(hex)!
    }

    /// The secret, for sending it as a client.
    public var secret: String { String(decoding: bytes, as: UTF8.self) }
}

extension Request {
    /// The credential of an `Authorization: Bearer …` header; nil when there is none (or another scheme).
    public var bearerToken: Substring? { headers.bearerToken }
}

extension HTTPFields {
    /// The credential of an `Authorization: Bearer …` header; nil when there is none (or another scheme).
    public var bearerToken: Substring? {
        guard let value = self[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].drop { $0 == " " }
        return token.isEmpty ? nil : token
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
