/// Pins one model's rating, so numbers stay comparable across leaderboards built from different
/// vote sets; FastChat pins `mixtral-8x7b-instruct-v0.1` at 1114.
public struct RatingAnchor: Sendable, Hashable, Codable {
    public var model: String
    public var rating: Double

    public init(model: String, rating: Double) {
        self.model = model
        self.rating = rating
    }

    /// FastChat's production anchor.
    public static let fastChat = RatingAnchor(model: "mixtral-8x7b-instruct-v0.1", rating: 1114)

    /// Shifts all ratings alike; an anchor model absent from `models` leaves them unchanged, as
    /// in FastChat.
    func apply(to ratings: [Double], models: [String]) -> [Double] {
        guard let position = models.firstIndex(of: model) else { return ratings }
        let shift = rating - ratings[position]
        return ratings.map { $0 + shift }
    }
}
