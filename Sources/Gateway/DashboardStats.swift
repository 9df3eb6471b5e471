import Foundation

/// The body of `GET /api/v1/gateway/stats`: the last minute per model, and the latest errors.
struct DashboardStats: Encodable {
    struct Model: Encodable {
        var model: String
        var requests: Int
        var errors: Int
        var requestsPerSecond: Double
        var errorRate: Double
        var meanLatencyMilliseconds: Double?
        var p50LatencyMilliseconds: Double?
        var p95LatencyMilliseconds: Double?
        /// Requests running on the model's workers now (a worker serving several models counts for each).
        var inFlight: Int
        /// Requests waiting because every worker of the model is full.
        var queued: Int

        enum CodingKeys: String, CodingKey {
            case model, requests, errors
            case requestsPerSecond = "requests_per_second"
            case errorRate = "error_rate"
            case meanLatencyMilliseconds = "mean_latency_ms"
            case p50LatencyMilliseconds = "p50_latency_ms"
            case p95LatencyMilliseconds = "p95_latency_ms"
            case inFlight = "in_flight"
            case queued
        }
    }

    struct Failure: Encodable {
        /// ISO 8601, UTC.
        var time: String
        var model: String
        var endpoint: String
        var status: Int
        var message: String?
        var requestID: String
        var worker: String

        enum CodingKeys: String, CodingKey {
            case time, model, endpoint, status, message, worker
            case requestID = "request_id"
        }
    }

    var windowSeconds = GatewayStats.windowSeconds
    /// Served models (even idle ones) and any other model asked for in the window, by name.
    var models: [Model]
    var recentErrors: [Failure]

    enum CodingKeys: String, CodingKey {
        case models
        case windowSeconds = "window_seconds"
        case recentErrors = "recent_errors"
    }

    init(
        _ stats: (models: [String: GatewayStats.ModelSummary], recentErrors: [GatewayStats.ErrorEntry]),
        directory: DirectoryState,
        waiting: [String: Int]
    ) {
        var inFlight: [String: Int] = [:]
        for record in directory.workers.values {
            for model in record.models { inFlight[model, default: 0] += directory.inFlight[record.address, default: 0] }
        }
        let names = Set(directory.modelNames).union(stats.models.keys).sorted()
        models = names.map { name in
            let summary = stats.models[name] ?? .init()
            return Model(
                model: name,
                requests: summary.requests,
                errors: summary.errors,
                requestsPerSecond: summary.requestsPerSecond,
                errorRate: summary.errorRate,
                meanLatencyMilliseconds: summary.meanLatencyMilliseconds,
                p50LatencyMilliseconds: summary.p50LatencyMilliseconds,
                p95LatencyMilliseconds: summary.p95LatencyMilliseconds,
                inFlight: inFlight[name, default: 0],
                queued: waiting[name, default: 0]
            )
        }
        recentErrors = stats.recentErrors.map { entry in
            Failure(
                time: entry.time.formatted(.iso8601),
                model: entry.model,
                endpoint: entry.endpoint,
                status: entry.status,
                message: entry.message,
                requestID: entry.requestID,
                worker: entry.worker
            )
        }
    }
}
