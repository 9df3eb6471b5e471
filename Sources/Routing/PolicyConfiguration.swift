/// The tunables of every policy in one value, so configuration need not know which policy a model
/// ends up with; each policy reads only its own fields.
public struct PolicyConfiguration: Sendable, Equatable {
    /// `session`: see ``SessionAffinityPolicy/loadBound``.
    public var sessionLoadBound: Double
    /// `session`: see ``SessionAffinityPolicy/virtualNodes``.
    public var sessionVirtualNodes: Int
    /// `prefix`: see ``PrefixAwarePolicy/blockSize``.
    public var prefixBlockSize: Int
    /// `prefix`: see ``PrefixAwarePolicy/maxEntries``.
    public var prefixMaxEntries: Int
    /// `prefix`: see ``PrefixAwarePolicy/imbalanceMargin``.
    public var prefixImbalanceMargin: Int

    public init(
        sessionLoadBound: Double = SessionAffinityPolicy.defaultLoadBound,
        sessionVirtualNodes: Int = SessionAffinityPolicy.defaultVirtualNodes,
        prefixBlockSize: Int = PrefixAwarePolicy.defaultBlockSize,
        prefixMaxEntries: Int = PrefixAwarePolicy.defaultMaxEntries,
        prefixImbalanceMargin: Int = PrefixAwarePolicy.defaultImbalanceMargin
    ) {
        self.sessionLoadBound = sessionLoadBound
        self.sessionVirtualNodes = sessionVirtualNodes
        self.prefixBlockSize = prefixBlockSize
        self.prefixMaxEntries = prefixMaxEntries
        self.prefixImbalanceMargin = prefixImbalanceMargin
    }
}
