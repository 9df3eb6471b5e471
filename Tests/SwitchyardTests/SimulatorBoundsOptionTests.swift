import Testing

@testable import Switchyard

/// Simulator settings a worker or `up` could not honour in bounded time and memory stop it at start.
@Suite struct SimulatorBoundsOptionTests {
    static let refused: [[String]] = [
        ["--sim-ttft", "1e300"], ["--sim-ttft", "nan"], ["--sim-ttft", "-1"],
        ["--sim-tokens-per-second", "inf"], ["--sim-tokens-per-second", "nan"], ["--sim-tokens-per-second", "-1"],
        ["--sim-output-tokens", String(Int.max)], ["--sim-output-tokens", "-1"],
    ]

    @Test(arguments: refused)
    func absurdSettingsStopWorkerAndUp(arguments: [String]) {
        #expect(throws: (any Error).self) { try WorkerCommand.parse(["--model-names", "m"] + arguments) }
        #expect(throws: (any Error).self) { try UpCommand.parse(arguments) }
    }

    @Test func workerCountOfUpIsBounded() throws {
        #expect(throws: (any Error).self) { try UpCommand.parse(["--workers", "1000000"]) }
        _ = try UpCommand.parse(["--workers", "256", "--sim-tokens-per-second", "1e-300", "--sim-output-tokens", "100000"])
    }
}
