import HotlineCore
import Vapor

/// Open311 API keys in the console (R-CIT-5): an administrator issues a key for a 311 client
/// (shown once, on the page after issuing) and revokes it. The same functions as
/// `hotline open311 key`.
struct ConsoleOpen311Controller: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let keys = routes.grouped("admin", "open311-keys")
        keys.get(use: list)
        keys.post(use: create)
        keys.post(":keyId", "revoke", use: revoke)
    }

    struct KeysView: Encodable {
        struct Line: Encodable {
            var id: String
            var name: String
            var prefix: String
            var createdAt: String
            var revokedAt: String?
        }
        var lines: [Line]
        /// The key just issued: the only time anyone sees it.
        var issued: String?
        var issuedName: String?
        var name: String?
    }

    func view(_ req: Request, issued: (String, String)? = nil, name: String? = nil, problem: APIProblem? = nil) async throws -> Response {
        let keys = try await Open311Keys(db: req.database).list()
        let v = KeysView(
            lines: keys.reversed().map { .init(id: $0.id.uuidString, name: $0.name, prefix: $0.prefix, createdAt: ConsoleFormat.time($0.createdAt), revokedAt: $0.revokedAt.map { ConsoleFormat.time($0) }) },
            issued: issued?.1, issuedName: issued?.0, name: name)
        return try await req.renderConsole("admin/open311-keys", title: req.label("adminOpen311Keys"), v, status: issued == nil ? .ok : .created, problem: problem)
    }

    @Sendable func list(req: Request) async throws -> Response {
        _ = try req.principal(.admin)
        return try await view(req)
    }

    struct CreateForm: Content {
        var name: String?
    }

    @Sendable func create(req: Request) async throws -> Response {
        let p = try req.principal(.admin)
        let form = try req.decodeBody(CreateForm.self)
        do {
            let (key, text) = try await Open311Keys(db: req.database).create(name: form.name ?? "", by: p.accountId, at: req.now)
            return try await view(req, issued: (key.name, text))
        } catch let problem as APIProblem {
            return try await view(req, name: form.name, problem: problem)
        }
    }

    @Sendable func revoke(req: Request) async throws -> Response {
        _ = try req.principal(.admin)
        let id = try req.parameters.require("keyId")
        guard try await Open311Keys(db: req.database).revoke(id, at: req.now) != nil else {
            return try await view(req, problem: APIProblem(.conflict, code: "not_live", rule: "the key is already revoked"))
        }
        return req.redirect(to: "/admin/open311-keys?done=save")
    }
}
