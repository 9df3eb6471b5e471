/// How fast one voter may vote: a bucket of `burst` votes refilled at `perMinute`.
public struct VoteRate: Sendable, Equatable {
    public var perMinute: Double
    public var burst: Int

    public init(perMinute: Double = 10, burst: Int = 20) {
        self.perMinute = perMinute.isFinite ? max(perMinute, 0) : 0
        self.burst = max(burst, 1)
    }
}

/// Per-voter rate limit of the arena's votes: a token bucket per identity, in a table of at most
/// `maxVoters` (a full table first forgets voters whose bucket has refilled, then the one idle
/// longest). No I/O and no clock of its own: the caller passes the time.
struct VoteLimiter: Sendable {
    enum Decision: Equatable {
        case allowed
        /// No vote left; one will be in `retryAfter`.
        case limited(retryAfter: Duration)
    }

    let rate: VoteRate
    let maxVoters: Int
    private var buckets: [String: Bucket] = [:]

    private struct Bucket: Sendable {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    init(rate: VoteRate, maxVoters: Int = 10_000) {
        self.rate = rate
        self.maxVoters = max(maxVoters, 1)
    }

    var voterCount: Int { buckets.count }

    /// Takes one vote from `voter`'s bucket if it has one.
    mutating func take(for voter: String, now: ContinuousClock.Instant) -> Decision {
        var bucket = buckets[voter].map { refilled($0, now: now) } ?? Bucket(tokens: Double(rate.burst), updated: now)
        if buckets[voter] == nil { makeRoom(now: now) }
        defer { buckets[voter] = bucket }
        guard bucket.tokens >= 1 else {
            let perSecond = rate.perMinute / 60
            // A rate of zero never refills: the longest wait a client can be told.
            let seconds = perSecond > 0 ? min((1 - bucket.tokens) / perSecond, 86_400) : 86_400
            return .limited(retryAfter: .milliseconds(Int64((seconds * 1000).rounded(.up))))
        }
        bucket.tokens -= 1
        return .allowed
    }

    private func refilled(_ bucket: Bucket, now: ContinuousClock.Instant) -> Bucket {
        let elapsed = max(Self.seconds(now - bucket.updated), 0)
        return Bucket(tokens: min(Double(rate.burst), bucket.tokens + elapsed * rate.perMinute / 60), updated: now)
    }

    private mutating func makeRoom(now: ContinuousClock.Instant) {
        guard buckets.count >= maxVoters else { return }
        // A full bucket is what a new voter gets anyway: forgetting it loses nothing.
        buckets = buckets.filter { refilled($0.value, now: now).tokens < Double(rate.burst) }
        while buckets.count >= maxVoters, let idlest = buckets.min(by: { $0.value.updated < $1.value.updated })?.key {
            buckets.removeValue(forKey: idlest)
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
