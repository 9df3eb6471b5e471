import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import Testing

@Suite struct AccessRuleTests {
    func request(authorization: String? = nil) -> Request {
        var fields = HTTPFields()
        if let authorization { fields[.authorization] = authorization }
        let head = HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/register_worker", headerFields: fields)
        return Request(head: head, body: .init(buffer: ByteBuffer()))
    }

    func rejection(_ rule: AccessRule, _ request: Request) -> OpenAIError? {
        do {
            try rule.authorize(request)
            return nil
        } catch {
            return error as? OpenAIError
        }
    }

    @Test func tokensMatchOnlyThemselves() {
        let token = AccessToken("s3cret-token")!
        #expect(token.matches("s3cret-token"))
        for other in ["", "s3cret-toke", "s3cret-tokem", "s3cret-token-", "S3cret-token", "s3cret-token\0"] {
            #expect(!token.matches(other), "\(other)")
        }
    }

    @Test func blankSecretsAreNoSecrets() {
        #expect(AccessToken("") == nil)
        #expect(AccessToken("  \n") == nil)
        #expect(AccessToken(" key\n")?.matches("key") == true)
    }

    @Test func randomTokensAreLongAndDistinct() {
        let first = AccessToken.random()
        #expect(first.secret.count == 64)
        #expect(first != AccessToken.random())
    }

    @Test func readsOnlyBearerCredentials() {
        #expect(request(authorization: "Bearer abc").bearerToken == "abc")
        #expect(request(authorization: "bearer  abc").bearerToken == "abc")
        #expect(request(authorization: "Basic abc").bearerToken == nil)
        #expect(request(authorization: "Bearer").bearerToken == nil)
        #expect(request().bearerToken == nil)
    }

    @Test func aTokenRuleAnswers401InOpenAIShape() {
        let rule = AccessRule(.token(AccessToken("t0ken")!), credential: "registration token", option: "--registration-token")
        #expect(rejection(rule, request(authorization: "Bearer t0ken")) == nil)
        let missing = rejection(rule, request())
        #expect(missing?.status == .unauthorized)
        #expect(missing?.code == nil)
        #expect(missing?.type == "invalid_request_error")
        let wrong = rejection(rule, request(authorization: "Bearer nope"))
        #expect(wrong?.status == .unauthorized)
        #expect(wrong?.code == "invalid_token")
    }

    @Test func withoutATokenLoopbackIsOpenAndBeyondIsClosed() {
        let open = AccessRule(token: nil, openWithoutToken: true, credential: "admin token", option: "--admin-token")
        #expect(rejection(open, request()) == nil)
        let closed = AccessRule(token: nil, openWithoutToken: false, credential: "admin token", option: "--admin-token")
        let refusal = rejection(closed, request(authorization: "Bearer anything"))
        #expect(refusal?.status == .forbidden)
        #expect(refusal?.message.contains("--admin-token") == true)
    }

    @Test func anyOfPassesOnEitherToken() {
        let registration = AccessRule(.token(AccessToken("worker")!), credential: "registration token", option: "--registration-token")
        let admin = AccessRule(.token(AccessToken("admin")!), credential: "admin token", option: "--admin-token")
        #expect(throws: Never.self) { try AccessRule.authorize(request(authorization: "Bearer worker"), anyOf: [registration, admin]) }
        #expect(throws: Never.self) { try AccessRule.authorize(request(authorization: "Bearer admin"), anyOf: [registration, admin]) }
        #expect(throws: OpenAIError.self) { try AccessRule.authorize(request(authorization: "Bearer other"), anyOf: [registration, admin]) }
    }
}
