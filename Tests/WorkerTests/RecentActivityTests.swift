import Testing

@testable import Worker

@Suite struct RecentActivityTests {
    @Test func countsTheLastSixtySecondsOnly() {
        var activity = RecentActivity()
        activity.record(error: false, at: 100)
        activity.record(error: true, at: 100)
        activity.record(error: false, at: 130)
        #expect(activity.lastMinute(at: 130) == (requests: 3, errors: 1))
        #expect(activity.lastMinute(at: 159) == (requests: 3, errors: 1))
        #expect(activity.lastMinute(at: 160) == (requests: 1, errors: 0))
        #expect(activity.lastMinute(at: 200) == (requests: 0, errors: 0))
    }

    @Test func aReusedBucketForgetsItsOldSecond() {
        var activity = RecentActivity()
        activity.record(error: true, at: 5)
        activity.record(error: false, at: 65)
        #expect(activity.lastMinute(at: 65) == (requests: 1, errors: 0))
    }
}
