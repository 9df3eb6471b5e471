/// What a style-controlled leaderboard adds to the plain one.
///
/// JSON: `{"applied", "battles_without_style", "coefficients": [{"feature", "coefficient",
/// "coefficient_q025", "coefficient_q975"}]}`.
public struct StyleControlSummary: Sendable, Equatable, Codable {
    /// One style feature's coefficient with its bootstrap interval.
    public struct Coefficient: Sendable, Equatable, Codable {
        public var feature: StyleFeature
        /// Log-odds per standard deviation; see ``BradleyTerry/StyleControlledFit/coefficients``.
        public var value: Double
        public var lower: Double
        public var upper: Double

        public init(feature: StyleFeature, value: Double, lower: Double, upper: Double) {
            self.feature = feature
            self.value = value
            self.lower = lower
            self.upper = upper
        }

        enum CodingKeys: String, CodingKey {
            case feature
            case value = "coefficient"
            case lower = "coefficient_q025"
            case upper = "coefficient_q975"
        }
    }

    /// False when no battle carried style (or too few models did) and the board is the plain one.
    public var applied: Bool
    /// Battles that carry no style: left out of the board when applied.
    public var battlesWithoutStyle: Int
    /// Empty when not applied; a feature that never varied is missing.
    public var coefficients: [Coefficient]

    public init(applied: Bool, battlesWithoutStyle: Int, coefficients: [Coefficient]) {
        self.applied = applied
        self.battlesWithoutStyle = battlesWithoutStyle
        self.coefficients = coefficients
    }

    enum CodingKeys: String, CodingKey {
        case applied, coefficients
        case battlesWithoutStyle = "battles_without_style"
    }
}
