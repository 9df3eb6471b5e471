import HTTPTypes
import SwitchyardCore

/// A worker's OpenAI routes on the data plane: the browser guard at the head, then the backend.
public struct WorkerDataPlane: DataPlaneService {
    public var worker: Worker
    public var browserGuard: BrowserRequestGuard

    public init(worker: Worker, browserGuard: BrowserRequestGuard) {
        self.worker = worker
        self.browserGuard = browserGuard
    }

    public func admit(_ head: HTTPRequest) throws(OpenAIError) {
        if let refusal = browserGuard.refusal(of: .init(head: head)) { throw refusal.error }
    }

    public func serve(_ request: DataPlaneRequest, admitted: Void, to writer: DataPlaneWriter) async {
        await worker.serve(request, to: writer)
    }
}
