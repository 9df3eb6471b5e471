import HTTPTypes

/// What to do with a request head before it reaches the router.
enum RequestAdmission: Equatable {
    case proceed
    /// The client waits for `100 Continue` before sending its body.
    case proceedAfterContinue
    /// The announced body is over the limit: answer 413 without reading it.
    case tooLarge(announced: Int)

    init(_ head: HTTPRequest, maxBodySize: Int) {
        // An unparsable length is the HTTP decoder's business; only a readable one is judged here.
        if let length = head.headerFields[.contentLength].flatMap({ Int($0) }), length > maxBodySize {
            self = .tooLarge(announced: length)
        } else if head.headerFields[.expect]?.lowercased() == "100-continue" {
            self = .proceedAfterContinue
        } else {
            self = .proceed
        }
    }
}
