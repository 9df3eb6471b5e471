import Foundation
import Hummingbird
import NIOCore
import SwitchyardCore

extension Gateway {
    /// The operator's dashboard at `/` and `/dashboard`, and the statistics it polls.
    func addDashboardRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("api/v1/gateway/stats") { _, _ in
            try Response.json(DashboardStats(stats.read(), directory: directory.snapshot, waiting: directory.waitingByModel))
        }
        for path in ["/", "dashboard"] {
            router.get(RouterPath(path)) { _, _ in
                Response(
                    status: .ok,
                    headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                    body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html))
                )
            }
        }
    }
}
