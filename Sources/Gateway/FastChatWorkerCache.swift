import Conversation
import Synchronization

/// What the gateway keeps about each FastChat worker's model: its conversation template and
/// context length, fetched once per (worker address, model) as FastChat's API server does, but
/// bounded, and forgotten when the worker leaves the directory (a worker that comes back may
/// serve another template).
public final class FastChatWorkerCache: Sendable {
    public struct Key: Hashable, Sendable {
        public var address: String
        public var model: String
    }

    public struct Entry: Sendable, Equatable {
        public var template: ConversationTemplate
        public var contextLength: Int
    }

    /// Entries kept; past it an arbitrary one makes room (a worker registering many made-up models).
    public static let capacity = 4096

    private let entries = Mutex<[Key: Entry]>([:])

    public init() {}

    public subscript(address: String, model: String) -> Entry? {
        entries.withLock { $0[Key(address: address, model: model)] }
    }

    public func store(_ entry: Entry, address: String, model: String) {
        entries.withLock { entries in
            if entries.count >= Self.capacity, let victim = entries.keys.first { entries.removeValue(forKey: victim) }
            entries[Key(address: address, model: model)] = entry
        }
    }

    /// Keeps only the entries of workers `isKnown` accepts.
    public func retain(where isKnown: (String) -> Bool) {
        entries.withLock { entries in entries = entries.filter { isKnown($0.key.address) } }
    }

    public var count: Int { entries.withLock { $0.count } }
}
