import Metrics
import SwitchyardCore

/// The controller's Prometheus metrics (listed in the README's Operations section).
enum ControllerMetrics {
    static let workers = ScrapedGauge(name: "switchyard_controller_workers")
    static let models = ScrapedGauge(name: "switchyard_controller_model_workers")

    static func registered() {
        Counter(label: "switchyard_controller_registrations_total").increment()
    }

    /// Made once: looking a counter up in the factory cost more than parsing the beat.
    private static let knownBeats = Counter(label: "switchyard_controller_heartbeats_total", dimensions: [("known", "true")])
    private static let unknownBeats = Counter(label: "switchyard_controller_heartbeats_total", dimensions: [("known", "false")])

    static func heartbeat(known: Bool) {
        (known ? knownBeats : unknownBeats).increment()
    }

    static func expired(count: Int) {
        Counter(label: "switchyard_controller_expiries_total").increment(by: count)
    }

    static func beatStreamBroke(removing count: Int) {
        Counter(label: "switchyard_controller_beat_stream_removals_total").increment(by: count)
    }

    /// Workers by state and by model, read from the registry when Prometheus scrapes.
    static func refresh(from store: RegistryStore) {
        var states: [[String]: Double] = [["ready"]: 0, ["draining"]: 0]
        var perModel: [[String]: Double] = [:]
        for record in store.records() {
            states[[record.state.rawValue], default: 0] += 1
            for model in record.models { perModel[[model], default: 0] += 1 }
        }
        workers.set(states, labelNames: ["state"])
        models.set(perModel, labelNames: ["model"])
    }
}
