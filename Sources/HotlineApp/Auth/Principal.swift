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
            let hash = TokenHash.of(token)
            if let session = try await Self.session(hash, request), session.expiresAt > now {
                if viaCookie && ![.GET, .HEAD, .OPTIONS].contains(request.method), try await Self.sentCSRFToken(request) != session.csrfToken {
                    throw APIProblem(.forbidden, code: "csrf_token_missing", field: "X-CSRF-Token", rule: "writes with a session cookie must send the X-CSRF-Token given at login (R-NF-5)")
                }
                request.auth.login(Principal(actor: session.actor, tokenId: session.tokenId, viaCookie: viaCookie, csrfToken: session.csrfToken, agentExtension: session.agentExtension))
            }
        }
        return try await next.respond(to: request)
    }
}

extension TokenAuthenticator {
    /// The session of a token hash: from this process's `SessionCache`, or looked up (and kept)
    /// if not there. Nil for an unknown token or an inactive account.
    static func session(_ hash: String, _ request: Request) async throws -> SessionCache.Session? {
        let cache = request.hotline.sessions
        if let kept = cache.session(for: hash) { return kept }
        let generation = cache.generation
        // One joined query, not three, written out as text and prepared once per
        // connection on PostgreSQL: building and planning it cost more than answering it.
        guard let row = try await PreparedStatements.TokenLookup(tokenHash: hash).rows(on: request.database).first else { return nil }
        let r = OrderRows.Reader(row: row)
        guard try r("active", as: Bool.self) else { return nil }
        let unit = UnitRef(id: try r("unit_id"), name: try r("unit_name"), level: try r("level"), parentId: try r.optional("parent_id"), path: try r("path"))
        let roles = Set(try r("roles", as: String.self).split(separator: ",").compactMap { Role(rawValue: String($0)) })
        let session = SessionCache.Session(
            actor: Actor(accountId: try r("account_id"), name: try r("display_name"), roles: roles, unit: unit),
            tokenId: try r("token_id"), csrfToken: try r("csrf_token"), agentExtension: try r.optional("extension"), expiresAt: try r("expires_at"))
        cache.remember(session, for: hash, lookedUpIn: generation)
        return session
    }

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
