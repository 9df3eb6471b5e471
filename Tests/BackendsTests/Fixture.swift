import Foundation
import NIOCore
import Testing

/// A recorded upstream response from `Fixtures/`, byte for byte.
enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func buffer(_ name: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try bytes(name))
    }
}
