import Conversation
import Testing

@Suite struct SeparatorStyleTests {
    @Test func rawValuesFollowFastChatsEnumeration() {
        #expect(SeparatorStyle.allCases.count == 23)
        #expect(SeparatorStyle.addColonSingle.rawValue == 1)
        #expect(SeparatorStyle.addColonTwo.rawValue == 2)
        #expect(SeparatorStyle.chatML.rawValue == 10)
        #expect(SeparatorStyle.default.rawValue == 23)
    }
}
