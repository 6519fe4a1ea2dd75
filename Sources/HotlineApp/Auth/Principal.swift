import Crypto
import Fluent
import HotlineCore
import Vapor

/// The logged-in person behind a request.
struct Principal: Authenticatable, Sendable {
    var actor: Actor
    var tokenId: UUID
    /// Cookie logins must echo the CSRF token on writes; bearer tokens need not.
    var viaCookie: Bool
    var csrfToken: String

    var accountId: UUID { actor.accountId }
    func has(_ roles: Role...) -> Bool { !actor.roles.isDisjoint(with: roles) }
}

enum TokenHash {
    static func of(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func random() -> String {
        Data([UInt8].random(count: 32)).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// Reads `Authorization: Bearer …` or the `hotline_session` cookie and logs the person in.
struct TokenAuthenticator: AsyncMiddleware {
    static let cookieName = "hotline_session"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        var token: String?
        var viaCookie = false
        if let bearer = request.headers.bearerAuthorization {
            token = bearer.token
        } else if let cookie = request.cookies[Self.cookieName]?.string {
            token = cookie
            viaCookie = true
        }
        if let token {
            let now = request.now
            if let row = try await AccessTokenModel.query(on: request.db).filter(\.$tokenHash == TokenHash.of(token)).with(\.$account) { $0.with(\.$unit) }.first(),
                row.expiresAt > now, row.account.active
            {
                let a = row.account
                let actor = Actor(accountId: a.id!, name: a.displayName, roles: a.roles, unit: a.unit.ref)
                if viaCookie && ![.GET, .HEAD, .OPTIONS].contains(request.method) && request.headers.first(name: "X-CSRF-Token") != row.csrfToken {
                    throw APIProblem(.forbidden, code: "csrf_token_missing", field: "X-CSRF-Token", rule: "writes with a session cookie must send the X-CSRF-Token given at login (R-NF-5)")
                }
                request.auth.login(Principal(actor: actor, tokenId: row.id!, viaCookie: viaCookie, csrfToken: row.csrfToken))
            }
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    /// The logged-in person, or 401.
    func principal() throws -> Principal {
        guard let p = auth.get(Principal.self) else {
            throw APIProblem(.unauthorized, code: "unauthenticated", rule: "log in first: POST /api/v1/sessions")
        }
        return p
    }

    /// The logged-in person holding one of `roles`, or 403.
    func principal(_ roles: Role...) throws -> Principal {
        let p = try principal()
        guard !p.actor.roles.isDisjoint(with: roles) else {
            throw APIProblem(.forbidden, code: "forbidden", rule: "this needs one of the roles \(roles.map(\.rawValue).joined(separator: ", "))")
        }
        return p
    }
}
