import Eval
import Testing

@Suite struct VerdictTests {
    @Test(arguments: [
        ("The answer is fine. Rating: [[8]]", 8.0),
        ("Rating: [[8.5]]", 8.5),
        ("Rating: [[ 7 ]]", 7.0),
        ("[[10]] is my grade", 10.0),
        ("Rating: [[1]]", 1.0),
        ("Rating: [6]", 6.0),
        ("First [[9]], and to repeat: [[9]]", 9.0),
        ("Single brackets [3] do not count beside [[5]]", 5.0),
    ])
    func readsRatings(reply: String, rating: Double) {
        #expect(Verdict.rating(in: reply) == .success(rating))
    }

    @Test func refusesRatingsItCannotTrust() {
        #expect(Verdict.rating(in: "A solid answer, I would say eight.") == .failure(.absent))
        #expect(Verdict.rating(in: "Rating: [[rating]]") == .failure(.absent))
        #expect(Verdict.rating(in: "Rating: [[eight]]") == .failure(.absent))
        #expect(Verdict.rating(in: "") == .failure(.absent))
        #expect(Verdict.rating(in: "Rating: [[7]] or maybe [[8]]") == .failure(.conflicting))
        #expect(Verdict.rating(in: "Rating: [[11]]") == .failure(.outOfRange(11)))
        #expect(Verdict.rating(in: "Rating: [[0]]") == .failure(.outOfRange(0)))
        #expect(Verdict.rating(in: "Rating: [[100]]") == .failure(.outOfRange(100)))
        #expect(Verdict.rating(in: "Rating: [[-3]]") == .failure(.absent))
        #expect(Verdict.rating(in: "Rating: [[99999999999999999999]]") == .failure(.absent))
    }

    @Test func readsPairwiseVerdicts() {
        #expect(Verdict.preference(in: "A is clearer. [[A]]") == .success(.a))
        #expect(Verdict.preference(in: "[[B]]") == .success(.b))
        #expect(Verdict.preference(in: "Equally good: [[C]]") == .success(.tie))
        #expect(Verdict.preference(in: "[[A]] ... final: [[A]]") == .success(.a))
    }

    @Test func refusesPairwiseVerdictsItCannotTrust() {
        #expect(Verdict.preference(in: "A is better.") == .failure(.absent))
        #expect(Verdict.preference(in: "[A]") == .failure(.absent))
        #expect(Verdict.preference(in: "[[a]]") == .failure(.absent))
        #expect(Verdict.preference(in: "[[D]]") == .failure(.absent))
        #expect(Verdict.preference(in: "Not [[A]] but [[B]]") == .failure(.conflicting))
    }

    @Test func mapsPositionsBackToModels() {
        #expect(Verdict.winner(in: "[[A]]", modelShownFirst: .model1) == .model1)
        #expect(Verdict.winner(in: "[[B]]", modelShownFirst: .model1) == .model2)
        // In the swapped game model 2 is shown first.
        #expect(Verdict.winner(in: "[[A]]", modelShownFirst: .model2) == .model2)
        #expect(Verdict.winner(in: "[[B]]", modelShownFirst: .model2) == .model1)
        #expect(Verdict.winner(in: "[[C]]", modelShownFirst: .model2) == .tie)
        #expect(Verdict.winner(in: "no idea", modelShownFirst: .model1) == .error)
        #expect(Verdict.winner(in: "[[A]] [[C]]", modelShownFirst: .model1) == .error)
    }
}
