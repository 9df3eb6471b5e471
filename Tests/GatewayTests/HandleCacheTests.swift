import Synchronization
import Testing

@testable import Gateway

@Suite struct HandleCacheTests {
    /// Notes which series were taken out of the registry.
    final class Registry: Sendable {
        let destroyed = Mutex<[String]>([])
    }

    /// Stands in for a registry series.
    final class Series: MetricHandle {
        let key: String
        let registry: Registry

        init(_ key: String, registry: Registry) {
            self.key = key
            self.registry = registry
        }

        func destroy() { registry.destroyed.withLock { $0.append(key) } }
    }

    @Test func forgetsAndDestroysTheHandlesOfDepartedWorkers() {
        let registry = Registry()
        let cache = HandleCache { (worker: String) in Series(worker, registry: registry) }
        // 501 workers come and go, as in the hostile run; one stays.
        for index in 0...500 { _ = cache["http://10.0.0.\(index):21002"] }
        let kept = cache["http://10.0.0.7:21002"]
        cache.forget { $0 != "http://10.0.0.7:21002" }
        #expect(cache.count == 1)
        #expect(registry.destroyed.withLock { $0.count } == 500)
        #expect(!registry.destroyed.withLock { $0.contains("http://10.0.0.7:21002") })
        #expect(cache["http://10.0.0.7:21002"] === kept)
        // A worker that comes back gets a fresh series.
        _ = cache["http://10.0.0.8:21002"]
        #expect(cache.count == 2)
    }
}
