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

extension Sequence where Element == UInt8 {
    /// Lower-case hex, without a `String(format:)` per byte.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in self { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0F)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

enum TokenHash {
    static func of(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hex
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
            // One joined query, not three: every request pays for this lookup.
            if let row = try await AccessTokenModel.query(on: request.db)
                .join(AccountModel.self, on: \AccessTokenModel.$account.$id == \AccountModel.$id)
                .join(UnitModel.self, on: \AccountModel.$unit.$id == \UnitModel.$id)
                .filter(\.$tokenHash == TokenHash.of(token)).first(),
                row.expiresAt > now, let a = try? row.joined(AccountModel.self), a.active, let unit = try? row.joined(UnitModel.self)
            {
                let actor = Actor(accountId: a.id!, name: a.displayName, roles: a.roles, unit: unit.ref)
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
