import Foundation
import Testing

@testable import SwitchyardCore

@Suite struct RequestIDTests {
    @Test func newIDsAreLowercaseVersion4UUIDs() throws {
        let id = RequestID.make()
        let uuid = try #require(UUID(uuidString: id))
        #expect(uuid.uuidString.lowercased() == id)
        let characters = Array(id)
        #expect(characters[14] == "4")
        #expect("89ab".contains(characters[19]))
        #expect(RequestID.make() != id)
    }

    @Test(arguments: [
        ("req-123", true), (String(repeating: "a", count: 128), true), (String(repeating: "a", count: 129), false),
        (String(repeating: "a", count: 2 << 20), false), ("", false), ("with space", false), ("tab\t", false), ("é", false),
    ])
    func acceptsOnlyShortVisibleIDs(id: String, accepted: Bool) {
        #expect((RequestID.accepted(id) == id) == accepted)
        #expect((RequestID.accepted(id) == nil) == !accepted)
    }
}
