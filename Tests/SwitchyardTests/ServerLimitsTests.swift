import ArgumentParser
import HTTPTypes
import Testing

@testable import Switchyard

@Suite struct ServerLimitsTests {
    let start = ContinuousClock.now

    @Test func theGateAdmitsUpToItsLimitAndAgainOnceAPlaceIsFree() {
        let gate = ConnectionGate(limit: 3)
        #expect((0..<3).allSatisfy { _ in gate.admit() })
        #expect(!gate.admit())
        #expect(!gate.admit())
        #expect(gate.count == 3)
        gate.release()
        #expect(gate.admit())
        #expect(!gate.admit())
    }

    @Test func theGateHoldsUnderManyRefusals() {
        let gate = ConnectionGate(limit: 1)
        #expect(gate.admit())
        for _ in 0..<100_000 { #expect(!gate.admit()) }
        #expect(gate.count == 1)
    }

    func head(_ fields: HTTPFields) -> HTTPRequest {
        HTTPRequest(method: .post, scheme: "http", authority: "x", path: "/v1/chat/completions", headerFields: fields)
    }

    @Test func anAnnouncedBodyOverTheLimitIsRefusedAtItsHead() {
        #expect(RequestAdmission(head([.contentLength: "1073741824", .expect: "100-continue"]), maxBodySize: 32 << 20) == .tooLarge(announced: 1 << 30))
        #expect(RequestAdmission(head([.contentLength: "1073741824"]), maxBodySize: 32 << 20) == .tooLarge(announced: 1 << 30))
        #expect(RequestAdmission(head([.contentLength: "\(Int.max)"]), maxBodySize: 32 << 20) == .tooLarge(announced: .max))
        #expect(RequestAdmission(head([.contentLength: "11"]), maxBodySize: 10) == .tooLarge(announced: 11))
        #expect(RequestAdmission(head([.contentLength: "10"]), maxBodySize: 10) == .proceed)
    }

    @Test func expectContinueWithinTheLimitIsAnsweredContinue() {
        #expect(RequestAdmission(head([.contentLength: "100", .expect: "100-continue"]), maxBodySize: 1000) == .proceedAfterContinue)
        #expect(RequestAdmission(head([.expect: "100-Continue"]), maxBodySize: 1000) == .proceedAfterContinue)
        #expect(RequestAdmission(head([:]), maxBodySize: 1000) == .proceed)
        // Lengths the decoder refuses are its business.
        #expect(RequestAdmission(head([.contentLength: "99999999999999999999999"]), maxBodySize: 1000) == .proceed)
        #expect(RequestAdmission(head([.contentLength: "-5"]), maxBodySize: 1000) == .proceed)
    }

    @Test func aRequestMustEndWithinItsDeadline() {
        var deadlines = ConnectionDeadlines(requestTimeout: .seconds(60), writeTimeout: .seconds(30))
        #expect(deadlines.deadline == nil)
        #expect(!deadlines.isOverdue(at: start + .seconds(1_000_000)))
        deadlines.requestHead(at: start)
        #expect(deadlines.deadline == start + .seconds(60))
        #expect(!deadlines.isOverdue(at: start + .seconds(59)))
        #expect(deadlines.isOverdue(at: start + .seconds(60)))
        deadlines.requestEnd()
        #expect(deadlines.deadline == nil)
        // A response being written, however long, has no deadline of its own.
        #expect(!deadlines.isOverdue(at: start + .seconds(86_400)))
    }

    @Test func aStalledWriteHasItsOwnDeadlineFromWhenItStalled() {
        var deadlines = ConnectionDeadlines(requestTimeout: .seconds(60), writeTimeout: .seconds(30))
        deadlines.writability(false, at: start)
        // Staying unwritable does not push the deadline back.
        deadlines.writability(false, at: start + .seconds(20))
        #expect(deadlines.deadline == start + .seconds(30))
        #expect(deadlines.isOverdue(at: start + .seconds(30)))
        deadlines.writability(true, at: start + .seconds(29))
        #expect(deadlines.deadline == nil)
        deadlines.writability(false, at: start + .seconds(100))
        deadlines.requestHead(at: start + .seconds(80))
        #expect(deadlines.deadline == start + .seconds(130))
        deadlines.requestHead(at: start + .seconds(50))
        #expect(deadlines.deadline == start + .seconds(110))
    }

    @Test func optionsRefuseNonsense() throws {
        for arguments in [["--idle-timeout", "0"], ["--request-timeout", "-1"], ["--write-timeout", "nan"], ["--idle-timeout", "inf"], ["--max-connections", "0"]] {
            #expect(throws: (any Error).self) { try ServerLimitOptions.parse(arguments) }
        }
        let options = try ServerLimitOptions.parse(["--idle-timeout", "1e300", "--max-connections", "7"])
        let limits = options.limits(maxBodySize: 5)
        // Huge values are clamped to a representable duration, never a trap.
        #expect(limits.idleTimeout > .seconds(1_000_000))
        #expect(limits.maxConnections == 7)
        #expect(limits.maxBodySize == 5)
        #expect(try ServerLimitOptions.parse([]).limits() == ServerLimits())
    }
}
