/// How much of the battles still going on the arena keeps in memory.
public struct BattleLimits: Sendable, Equatable {
    /// Battles whose conversations are kept for a next turn; past it the least recently played is forgotten.
    public var maxOpenBattles: Int
    /// Bytes of conversation text over all open battles; past it the least recently played are forgotten.
    public var maxOpenBytes: Int
    /// Bytes of one battle's conversation (both sides' messages); a turn that would pass it is refused.
    public var maxBattleBytes: Int
    /// User turns of one battle.
    public var maxTurns: Int

    public init(maxOpenBattles: Int = 10_000, maxOpenBytes: Int = 64 << 20, maxBattleBytes: Int = 256 << 10, maxTurns: Int = 32) {
        self.maxOpenBattles = max(maxOpenBattles, 1)
        self.maxOpenBytes = max(maxOpenBytes, 1)
        self.maxBattleBytes = max(maxBattleBytes, 1)
        self.maxTurns = max(maxTurns, 1)
    }
}

/// The conversations of open battles, bounded by ``BattleLimits``: saving past a limit forgets
/// the least recently played battles (their votes still count), and a conversation over the
/// per-battle size is not kept at all. No I/O; the arena holds it under a lock.
struct OpenBattles: Sendable {
    let limits: BattleLimits
    private var entries: [String: Entry] = [:]
    private(set) var totalBytes = 0
    /// Orders saves: the smallest is the least recently played.
    private var tick: UInt64 = 0

    private struct Entry: Sendable {
        var conversation: Arena.BattleConversation
        var bytes: Int
        var tick: UInt64
    }

    init(limits: BattleLimits) {
        self.limits = limits
    }

    var count: Int { entries.count }

    subscript(id: String) -> Arena.BattleConversation? {
        entries[id]?.conversation
    }

    /// Keeps `conversation` for its next turn; false when it is over the per-battle size (and is
    /// then forgotten).
    @discardableResult
    mutating func save(_ conversation: Arena.BattleConversation, as id: String) -> Bool {
        remove(id)
        let bytes = conversation.bytes
        guard bytes <= limits.maxBattleBytes else { return false }
        tick += 1
        entries[id] = Entry(conversation: conversation, bytes: bytes, tick: tick)
        totalBytes += bytes
        while entries.count > limits.maxOpenBattles || totalBytes > limits.maxOpenBytes,
            let stalest = entries.min(by: { $0.value.tick < $1.value.tick })?.key
        {
            remove(stalest)
        }
        return entries[id] != nil
    }

    mutating func remove(_ id: String) {
        if let entry = entries.removeValue(forKey: id) { totalBytes -= entry.bytes }
    }
}

extension Arena.BattleConversation {
    /// The text it holds: both sides' roles and contents.
    var bytes: Int {
        (messagesA + messagesB).reduce(0) { $0 + $1.role.utf8.count + $1.content.utf8.count }
    }
}
