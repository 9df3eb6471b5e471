import Hummingbird
import SwitchyardCore
import Testing

@testable import Gateway

@Suite struct APIKeySetTests {
    @Test func parsesKeysModelsAndComments() throws {
        let keys = try APIKeySet(
            parsing: """
                # team keys
                sk-alpha-0001

                sk-beta-0002   small-model,other/model
                  # indented comment
                sk-gamma-0003\tsmall-model
                """
        )
        #expect(keys.entries.count == 3)
        #expect(keys.entry(for: "sk-alpha-0001")?.models == nil)
        #expect(keys.entry(for: "sk-beta-0002")?.models == ["small-model", "other/model"])
        #expect(keys.entry(for: "sk-gamma-0003")?.models == ["small-model"])
        #expect(keys.entry(for: "sk-alpha-000") == nil)
        #expect(keys.entry(for: "sk-alpha-00011") == nil)
        #expect(keys.entry(for: "") == nil)
    }

    @Test func rejectsAmbiguousLines() {
        #expect(throws: APIKeySet.ParseError(line: 2, reason: "expected `KEY` or `KEY model1,model2`")) {
            try APIKeySet(parsing: "k1\nk2 m1 m2\n")
        }
        #expect(throws: APIKeySet.ParseError(line: 3, reason: "the key is listed twice")) {
            try APIKeySet(parsing: "k1\n# c\nk1 m\n")
        }
        #expect(throws: APIKeySet.ParseError(line: 1, reason: "no model names after the key")) {
            try APIKeySet(parsing: "k1 ,\n")
        }
    }

    @Test func anEmptyFileIsEmpty() throws {
        #expect(try APIKeySet(parsing: "# nothing yet\n\n").isEmpty)
    }

    @Test func mergingKeepsTheFirstEntryOfAKey() throws {
        let file = try APIKeySet(parsing: "shared m1\nfile-only\n")
        let flags = APIKeySet([.init(key: AccessToken("shared")!), .init(key: AccessToken("flag-only")!)])
        let merged = file.merging(flags)
        #expect(merged.entries.count == 3)
        #expect(merged.entry(for: "shared")?.models == ["m1"])
        #expect(merged.entry(for: "flag-only") != nil)
    }

    @Test func masksWrongKeysAsOpenAIDoes() {
        #expect(APIKeySet.masked("sk-abcdefghijkyz") == "sk-ab***yz")
        #expect(APIKeySet.masked("short") == "***")
    }

    @Test func normalisesPathsAsTheRouterSeesThem() {
        #expect(APIKeyMiddleware<BasicRequestContext>.normalized("/") == "")
        #expect(APIKeyMiddleware<BasicRequestContext>.normalized("//v1//models/") == "v1/models")
        #expect(APIKeyMiddleware<BasicRequestContext>.normalized("/%68ealth") == "health")
    }

    @Test func modelAccessFollowsTheKey() {
        #expect(ModelAccess.allows("anything"))
        ModelAccess.$allowed.withValue(["m1"]) {
            #expect(ModelAccess.allows("m1"))
            #expect(!ModelAccess.allows("m2"))
            #expect((try? ModelAccess.check("m2")) == nil)
        }
    }
}
