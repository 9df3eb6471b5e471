import Routing
import Testing

@Suite struct DispatchMethodTests {
    @Test func everyPolicyIsSelectableByName() {
        let names = DispatchMethod.allCases.map(\.rawValue)
        #expect(names == ["shortest_queue", "lottery", "round_robin", "power_of_two", "least_loaded", "session", "prefix"])
        #expect(DispatchMethod(rawValue: "round_robin") == .roundRobin)
        #expect(DispatchMethod(rawValue: "power_of_two") == .powerOfTwo)
        #expect(DispatchMethod(rawValue: "least_loaded") == .leastLoaded)
        #expect(DispatchMethod(rawValue: "session") == .session)
        #expect(DispatchMethod(rawValue: "prefix") == .prefix)
    }

    @Test func eachNameMakesItsPolicy() {
        #expect(DispatchMethod.shortestQueue.makePolicy() is ShortestQueuePolicy)
        #expect(DispatchMethod.lottery.makePolicy() is LotteryPolicy)
        #expect(DispatchMethod.roundRobin.makePolicy() is RoundRobinPolicy)
        #expect(DispatchMethod.powerOfTwo.makePolicy() is PowerOfTwoPolicy)
        #expect(DispatchMethod.leastLoaded.makePolicy() is LeastLoadedPolicy)
        #expect(DispatchMethod.session.makePolicy() is SessionAffinityPolicy)
        #expect(DispatchMethod.prefix.makePolicy() is PrefixAwarePolicy)
    }

    @Test func onlyAffinityPoliciesAskForRequestFields() {
        let inputs = Dictionary(uniqueKeysWithValues: DispatchMethod.allCases.map { ($0, $0.makePolicy().inputs) })
        #expect(inputs[.session] == .sessionKey)
        #expect(inputs[.prefix] == .prompt)
        for method in DispatchMethod.allCases where method != .session && method != .prefix {
            #expect(inputs[method] == [], "\(method)")
        }
    }

    @Test func configurationReachesThePolicies() {
        let configuration = PolicyConfiguration(
            sessionLoadBound: 2,
            sessionVirtualNodes: 7,
            prefixBlockSize: 16,
            prefixMaxEntries: 50,
            prefixImbalanceMargin: 1
        )
        let session = DispatchMethod.session.makePolicy(configuration) as? SessionAffinityPolicy
        #expect(session?.loadBound == 2)
        #expect(session?.virtualNodes == 7)
        let prefix = DispatchMethod.prefix.makePolicy(configuration) as? PrefixAwarePolicy
        #expect(prefix?.blockSize == 16)
        #expect(prefix?.maxEntries == 50)
        #expect(prefix?.imbalanceMargin == 1)
    }

    @Test func defaultsMatchThePolicies() {
        let configuration = PolicyConfiguration()
        #expect(configuration.sessionLoadBound == 1.25)
        #expect((64...160).contains(configuration.sessionVirtualNodes))
        #expect(configuration.prefixBlockSize == PrefixAwarePolicy().blockSize)
        #expect(configuration.prefixMaxEntries == 100_000)
        #expect(configuration.prefixImbalanceMargin == 4)
    }

    @Test func outOfRangeTunablesAreClamped() {
        let session = SessionAffinityPolicy(loadBound: 0.5, virtualNodes: 0)
        #expect(session.loadBound == 1)
        #expect(session.virtualNodes == 1)
        let prefix = PrefixAwarePolicy(blockSize: 0, maxEntries: -3, imbalanceMargin: -1)
        #expect(prefix.blockSize == 1)
        #expect(prefix.maxEntries == 1)
        #expect(prefix.imbalanceMargin == 0)
    }
}
