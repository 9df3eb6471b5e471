import SwitchyardCore
import Testing

@testable import Switchyard

/// A worker refuses at start what the controller would refuse at every registration.
@Suite struct WorkerBoundsOptionTests {
    @Test func valuesTheControllerWouldRefuseStopTheWorker() {
        let refused: [[String]] = [
            ["--limit-concurrency", String(Int.max)],
            ["--limit-concurrency", String(WorkerStatus.maxLimitConcurrency + 1)],
            ["--model-names", String(repeating: "n", count: WorkerStatus.maxModelNameBytes + 1)],
            ["--model-names", (0...WorkerStatus.maxModelNames).map { "m\($0)" }.joined(separator: ",")],
            ["--worker-address", "http://user@10.0.0.6:21002"],
            ["--worker-address", "file:///etc/passwd"],
        ]
        for arguments in refused {
            let all = arguments.first == "--model-names" ? arguments : ["--model-names", "m"] + arguments
            #expect(throws: (any Error).self, "\(arguments.joined(separator: " ").prefix(60))") { try WorkerCommand.parse(all) }
        }
    }

    @Test func theLargestAcceptedValuesPass() throws {
        let names = (0..<WorkerStatus.maxModelNames).map { "m\($0)" }.joined(separator: ",")
        let worker = try WorkerCommand.parse([
            "--model-names", names, "--limit-concurrency", String(WorkerStatus.maxLimitConcurrency),
            "--worker-address", "https://[fd00::6]:21002",
        ])
        #expect(worker.parsedModelNames.count == WorkerStatus.maxModelNames)
    }
}
