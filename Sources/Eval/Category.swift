/// What MT-Bench fixes per question category: the sampling temperature of the answers, and
/// whether the judge needs a reference answer to grade them.
public enum Category {
    /// MT-Bench's temperatures: creative categories sample, exact ones are greedy.
    public static func temperature(of category: String) -> Double {
        switch category {
        case "writing", "roleplay": 0.7
        case "extraction", "math", "coding", "reasoning": 0.0
        case "stem", "humanities": 0.1
        default: 0.7
        }
    }

    /// Categories with one right answer, which a judge misgrades without a reference to compare with.
    public static func needsReference(_ category: String) -> Bool {
        ["math", "reasoning", "coding"].contains(category)
    }
}
