import Foundation
import Synchronization

/// The gateway's shared ``GatewayStats``: every finished request is recorded here, and the
/// dashboard reads it. The lock is held only for a few array writes.
public final class GatewayStatsRecorder: Sendable {
    private let stats: Mutex<GatewayStats>

    public init(origin: ContinuousClock.Instant = .now) {
        stats = Mutex(GatewayStats(origin: origin))
    }

    public func record(_ outcome: GatewayStats.Outcome) {
        let time = Date()
        stats.withLock { $0.record(outcome, at: .now, time: time) }
    }

    /// The per-model summaries and the recent errors, read together.
    public func read() -> (models: [String: GatewayStats.ModelSummary], recentErrors: [GatewayStats.ErrorEntry]) {
        stats.withLock { ($0.summary(at: .now), $0.recentErrors) }
    }
}
