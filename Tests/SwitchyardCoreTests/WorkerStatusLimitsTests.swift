import SwitchyardCore
import Testing

@Suite struct WorkerStatusLimitsTests {
    /// The field a refused status is refused for, or nil when it passes.
    func refusedField(_ status: WorkerStatus) -> String? {
        do {
            try status.validate()
            return nil
        } catch let error as OpenAIError {
            #expect(error.status == .badRequest)
            #expect(error.code == "invalid_worker_status")
            return error.param
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func saneStatusesPass() {
        #expect(refusedField(WorkerStatus(modelNames: ["m"])) == nil)
        #expect(refusedField(WorkerStatus(modelNames: ["m"], speed: 0, queueLength: 0, limitConcurrency: 1)) == nil)
        let names = (0..<WorkerStatus.maxModelNames).map { "m\($0)" }
        let longest = String(repeating: "n", count: WorkerStatus.maxModelNameBytes)
        #expect(refusedField(WorkerStatus(modelNames: names, speed: WorkerStatus.maxSpeed, queueLength: WorkerStatus.maxQueueLength)) == nil)
        #expect(refusedField(WorkerStatus(modelNames: [longest], limitConcurrency: WorkerStatus.maxLimitConcurrency)) == nil)
    }

    @Test func absurdNumbersAreRefusedByName() {
        for speed in [Double.nan, .infinity, -.infinity, 1.5e308, -1, WorkerStatus.maxSpeed.nextUp] {
            #expect(refusedField(WorkerStatus(modelNames: ["m"], speed: speed)) == "worker_status.speed", "\(speed)")
        }
        for queue in [Int.max, Int.min, -1, WorkerStatus.maxQueueLength + 1] {
            #expect(refusedField(WorkerStatus(modelNames: ["m"], queueLength: queue)) == "worker_status.queue_length", "\(queue)")
        }
        for limit in [Int.max, Int.min, 0, WorkerStatus.maxLimitConcurrency + 1] {
            #expect(refusedField(WorkerStatus(modelNames: ["m"], limitConcurrency: limit)) == "worker_status.limit_concurrency", "\(limit)")
        }
        #expect(refusedField(WorkerStatus(modelNames: ["m"], api: String(repeating: "a", count: 1 << 16))) == "worker_status.api")
    }

    @Test func modelNamesAreBounded() {
        #expect(refusedField(WorkerStatus(modelNames: [])) == "worker_status.model_names")
        #expect(refusedField(WorkerStatus(modelNames: ["m", ""])) == "worker_status.model_names")
        #expect(refusedField(WorkerStatus(modelNames: [String(repeating: "n", count: WorkerStatus.maxModelNameBytes + 1)])) == "worker_status.model_names")
        // Bytes, not characters: 129 two-byte characters are 258 bytes.
        #expect(refusedField(WorkerStatus(modelNames: [String(repeating: "é", count: 129)])) == "worker_status.model_names")
        #expect(refusedField(WorkerStatus(modelNames: (0..<100_000).map { "m\($0)" })) == "worker_status.model_names")
    }

    @Test func clampingForcesEveryNumberIntoBounds() {
        let wild = WorkerStatus(modelNames: ["m"], speed: .nan, queueLength: .min, limitConcurrency: .max).clamped
        #expect(wild.speed == 0)
        #expect(wild.queueLength == 0)
        #expect(wild.limitConcurrency == WorkerStatus.maxLimitConcurrency)
        let huge = WorkerStatus(modelNames: ["m"], speed: .infinity, queueLength: .max, limitConcurrency: .min).clamped
        #expect(huge.speed == WorkerStatus.maxSpeed)
        #expect(huge.queueLength == WorkerStatus.maxQueueLength)
        #expect(huge.limitConcurrency == 1)
        #expect(WorkerActivity(running: .max, requestsLastMinute: .min, errorsLastMinute: -1).clamped == WorkerActivity(running: WorkerActivity.maxCount))
    }

    @Test func mirroredRecordsAreClampedToo() {
        let names = (0..<5000).map { "m\($0)" } + ["", String(repeating: "x", count: 1 << 20)]
        let record = WorkerRecord(
            address: "http://a", models: names, speed: 1.5e308, queueLength: .max, limitConcurrency: 0,
            activity: WorkerActivity(running: .max)
        ).clamped
        #expect(record.speed == WorkerStatus.maxSpeed)
        #expect(record.queueLength == WorkerStatus.maxQueueLength)
        #expect(record.limitConcurrency == 1)
        #expect(record.models == Array(names.prefix(WorkerStatus.maxModelNames)))
        #expect(record.activity?.running == WorkerActivity.maxCount)
        let sane = WorkerRecord(address: "http://a", models: ["m"], speed: 2, queueLength: 3, limitConcurrency: 4)
        #expect(sane.clamped == sane)
    }
}
