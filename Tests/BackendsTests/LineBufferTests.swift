@testable import Backends
import Testing

@Suite struct LineBufferTests {
    @Test func holdsAPartialLineUntilItsEndArrives() {
        var buffer = LineBuffer()
        #expect(buffer.append(Array("loading mo".utf8)).isEmpty)
        #expect(buffer.append(Array("del\nready\r\nserv".utf8)) == ["loading model", "ready"])
        #expect(buffer.finish() == "serv")
        #expect(buffer.finish() == nil)
    }

    @Test func cutsALineThatNeverEnds() {
        var buffer = LineBuffer(maximumLength: 4)
        #expect(buffer.append(Array("..........\n".utf8)) == ["....", "....", ".."])
    }

    @Test func keepsEmptyLines() {
        var buffer = LineBuffer()
        #expect(buffer.append(Array("a\n\nb\n".utf8)) == ["a", "", "b"])
    }
}
