import HTTPTypes
import NIOHTTP1
import SwitchyardCore
import Testing

/// Numbers from peers and clients never trap: each extreme value issue 12 found, and its neighbours.
@Suite struct OutsideNumberTests {
    @Test(arguments: [1e300, Double.infinity, 1e16, 3600, 1e9])
    func longPausesAreCutToTheLimit(seconds: Double) {
        #expect(Duration.clamped(seconds: seconds) == .seconds(3600))
    }

    @Test(arguments: [Double.nan, -1, -Double.infinity, -1e300])
    func meaninglessPausesAreNone(seconds: Double) {
        #expect(Duration.clamped(seconds: seconds) == nil)
    }

    @Test func ordinaryPausesStayExact() {
        #expect(Duration.clamped(seconds: 0) == .zero)
        #expect(Duration.clamped(seconds: 1.5) == .milliseconds(1500))
        #expect(Duration.clamped(seconds: 2, limit: .seconds(1)) == .seconds(1))
    }

    @Test(arguments: [
        ("retry-after", "1e300"), ("retry-after", "inf"), ("retry-after", "99999999999999999"),
        ("retry-after-ms", "1e300"), ("retry-after-ms", "infinity"),
    ])
    func absurdRetryHeadersBecomeAnHour(name: String, value: String) {
        #expect(HTTPHeaders([(name, value)]).retryAfter == .seconds(3600))
    }

    @Test func unusableRetryHeadersAreIgnored() {
        #expect(HTTPHeaders([("retry-after", "nan")]).retryAfter == nil)
        #expect(HTTPHeaders([("retry-after", "-5")]).retryAfter == nil)
        #expect(HTTPHeaders([("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]).retryAfter == nil)
        // An unusable `retry-after-ms` leaves `retry-after` to speak.
        #expect(HTTPHeaders([("retry-after-ms", "nan"), ("retry-after", "2")]).retryAfter == .seconds(2))
        #expect(HTTPHeaders([("retry-after-ms", "250"), ("retry-after", "2")]).retryAfter == .milliseconds(250))
    }

    @Test(arguments: [Duration.seconds(Int64.max), .seconds(Int64.min), .seconds(1e18), .zero, .milliseconds(1)])
    func retryAdviceHeadersNeverOverflow(pause: Duration) {
        var headers = HTTPFields()
        headers.setRetryAdvice(pause)
        let milliseconds = Int64(headers[.retryAfterMilliseconds] ?? "") ?? -1
        #expect((0...3_600_000).contains(milliseconds))
        #expect(Int(headers[.retryAfter] ?? "").map { (1...3600).contains($0) } == true)
    }

    @Test func roundedUpMillisecondsSaturate() {
        #expect(Duration.seconds(Int64.max).roundedUpMilliseconds == .max)
        #expect(Duration.seconds(Int64.min).roundedUpMilliseconds == .min)
        #expect(Duration.nanoseconds(1).roundedUpMilliseconds == 1)
        #expect(Duration.milliseconds(1500).roundedUpMilliseconds == 1500)
    }
}
