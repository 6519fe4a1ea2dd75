import Crypto
import Fluent
import HotlineCore
import SQLKit
import Vapor

/// The logged-in person behind a request.
struct Principal: Authenticatable, Sendable {
    var actor: Actor
    var tokenId: UUID
    /// Cookie logins must echo the CSRF token on writes; bearer tokens need not.
    var viaCookie: Bool
    var csrfToken: String
    /// The extension (座席分机) the person is signed in at, if any (R-IN-4).
    var agentExtension: String? = nil

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
        // The public side (portal, Open311) knows no staff: a staff member's session cookie
        // in the same browser neither signs them in there nor asks their forms for a token.
        let path = request.url.path
        if path == "/portal" || path.hasPrefix("/portal/") || path.hasPrefix("/open311/") { return try await next.respond(to: request) }
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
            // One joined query, not three, written out as text and prepared once per
            // connection on PostgreSQL: every request pays for this lookup, and building and
            // planning it cost more than answering it.
            let hash = TokenHash.of(token)
            let row = try await PreparedStatements.TokenLookup(tokenHash: hash).rows(on: request.database).first
            if let row {
                let r = OrderRows.Reader(row: row)
                let expiresAt: Date = try r("expires_at")
                if expiresAt > now, try r("active", as: Bool.self) {
                    let unit = UnitRef(id: try r("unit_id"), name: try r("unit_name"), level: try r("level"), parentId: try r.optional("parent_id"), path: try r("path"))
                    let roles = Set(try r("roles", as: String.self).split(separator: ",").compactMap { Role(rawValue: String($0)) })
                    let actor = Actor(accountId: try r("account_id"), name: try r("display_name"), roles: roles, unit: unit)
                    let csrfToken: String = try r("csrf_token")
                    if viaCookie && ![.GET, .HEAD, .OPTIONS].contains(request.method), try await Self.sentCSRFToken(request) != csrfToken {
                        throw APIProblem(.forbidden, code: "csrf_token_missing", field: "X-CSRF-Token", rule: "writes with a session cookie must send the X-CSRF-Token given at login (R-NF-5)")
                    }
                    request.auth.login(Principal(actor: actor, tokenId: try r("token_id"), viaCookie: viaCookie, csrfToken: csrfToken, agentExtension: try r.optional("extension")))
                }
            }
        }
        return try await next.respond(to: request)
    }
}

extension TokenAuthenticator {
    /// The CSRF token a cookie write sent: the API's `X-CSRF-Token` header, or a console form's
    /// `_csrf` field (the body is read here, before the route, to find it).
    static func sentCSRFToken(_ request: Request) async throws -> String? {
        if let header = request.headers.first(name: "X-CSRF-Token") { return header }
        switch request.headers.contentType {
        case .urlEncodedForm?:
            if request.body.data == nil { _ = try await request.body.collect(max: 1_000_000).get() }
        case let type? where type.type == "multipart" && type.subType == "form-data":
            // A file upload form: up to the attachment route's own limit.
            if request.body.data == nil { _ = try await request.body.collect(max: 100 * 1024 * 1024).get() }
        default:
            return nil
        }
        return try? request.content.get(String.self, at: "_csrf")
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
