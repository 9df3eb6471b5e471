import ArgumentParser

/// The command-line face of ``ServerLimits``, shared by every daemon.
struct ServerLimitOptions: ParsableArguments {
    @Option(help: "Seconds a connection may stay open without a request in progress; also the time a request head may take to arrive.")
    var idleTimeout: Double = 65

    @Option(help: "Seconds from a request's head to the end of its body.")
    var requestTimeout: Double = 60

    @Option(help: "Seconds a connection may accept none of what is written to it (a reader that stopped reading) before it is closed.")
    var writeTimeout: Double = 30

    @Option(help: "Open connections each listener accepts; past them a connection is answered 503 and closed.")
    var maxConnections: Int = 4096

    func validate() throws {
        for (option, value) in [("--idle-timeout", idleTimeout), ("--request-timeout", requestTimeout), ("--write-timeout", writeTimeout)]
        where !(value.isFinite && value > 0) {
            throw ValidationError("\(option) must be a positive number of seconds.")
        }
        if maxConnections < 1 { throw ValidationError("--max-connections must be at least 1.") }
    }

    /// The limits, with the body size a daemon's routes accept.
    func limits(maxBodySize: Int = ServerLimits().maxBodySize) -> ServerLimits {
        ServerLimits(
            idleTimeout: .seconds(fractional: idleTimeout),
            requestTimeout: .seconds(fractional: requestTimeout),
            writeTimeout: .seconds(fractional: writeTimeout),
            maxConnections: maxConnections,
            maxBodySize: maxBodySize
        )
    }
}
