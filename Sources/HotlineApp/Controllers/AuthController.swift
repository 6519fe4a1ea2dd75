import Fluent
import HotlineCore
import Vapor

/// `/api/v1/sessions`: log in (bearer token and session cookie), log out, who am I.
struct AuthController: RouteCollection {
    struct LoginBody: Content { var username: String; var password: String }

    struct AccountDTO: Content {
        var id: UUID
        var username: String
        var displayName: String
        var roles: [Role]
        var unitId: UUID
        var unitName: String
        var unitLevel: Int
    }

    struct SessionDTO: Content {
        var token: String
        var csrfToken: String
        var expiresAt: Date
        var account: AccountDTO
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.post("sessions", use: login)
        routes.delete("sessions", "current", use: logout)
        routes.get("me", use: me)
    }

    @Sendable func login(req: Request) async throws -> Response {
        let body = try req.decodeBody(LoginBody.self)
        let session = try await Self.openSession(req, username: body.username, password: body.password)
        let dto = SessionDTO(token: session.token, csrfToken: session.csrfToken, expiresAt: session.expiresAt, account: Self.dto(session.account))
        let response = try await dto.encodeResponse(status: .created, for: req)
        Self.setCookie(on: response, token: session.token, expires: session.expiresAt)
        return response
    }

    /// Checks the password and stores a new token (the API's login and the console's).
    static func openSession(_ req: Request, username: String, password: String) async throws -> (token: String, csrfToken: String, expiresAt: Date, account: AccountModel) {
        guard let account = try await AccountModel.query(on: req.database).filter(\.$username == username).with(\.$unit).first(),
            account.active, try await req.password.async.verify(password, created: account.passwordHash)
        else {
            throw APIProblem(.unauthorized, code: "invalid_credentials", field: "password", rule: "unknown username or wrong password")
        }
        let token = TokenHash.random()
        let csrf = TokenHash.random()
        let now = req.now
        let expires = now.addingTimeInterval(Double(req.hotline.settings.tokenLifetimeHours) * 3600)
        let row = AccessTokenModel(tokenHash: TokenHash.of(token), accountId: account.id!, csrfToken: csrf, createdAt: now, expiresAt: expires)
        try await req.hotline.write(on: req.database) { db in try await row.create(on: db) }
        return (token, csrf, expires, account)
    }

    static func setCookie(on response: Response, token: String, expires: Date) {
        response.cookies[TokenAuthenticator.cookieName] = HTTPCookies.Value(
            string: token, expires: expires, path: "/", isSecure: false, isHTTPOnly: true, sameSite: .lax)
    }

    @Sendable func logout(req: Request) async throws -> Response {
        let p = try req.principal()
        try await req.hotline.writeChangingSessions(on: req.database) { db in try await AccessTokenModel.query(on: db).filter(\.$id == p.tokenId).delete() }
        let response = Response(status: .noContent)
        response.cookies[TokenAuthenticator.cookieName] = .expired
        return response
    }

    @Sendable func me(req: Request) async throws -> AccountDTO {
        let p = try req.principal()
        guard let account = try await AccountModel.query(on: req.database).filter(\.$id == p.accountId).with(\.$unit).first() else {
            throw APIProblem.notFound("account")
        }
        return Self.dto(account)
    }

    static func dto(_ a: AccountModel) -> AccountDTO {
        AccountDTO(id: a.id!, username: a.username, displayName: a.displayName, roles: a.roles.sorted { $0.rawValue < $1.rawValue }, unitId: a.unit.id!, unitName: a.unit.name, unitLevel: a.unit.level)
    }
}
