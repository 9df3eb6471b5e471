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
}
