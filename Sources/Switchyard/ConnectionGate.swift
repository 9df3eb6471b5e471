import Synchronization

/// Counts a listener's open connections and admits new ones up to the limit.
final class ConnectionGate: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    var count: Int { open.load(ordering: .relaxed) }

    /// Takes a place for a new connection; false when every place is taken.
    func admit() -> Bool {
        let (_, now) = open.add(1, ordering: .relaxed)
        guard now > limit else { return true }
        open.subtract(1, ordering: .relaxed)
        return false
    }

    /// Gives back the place of a connection that closed.
    func release() {
        open.subtract(1, ordering: .relaxed)
    }
}
