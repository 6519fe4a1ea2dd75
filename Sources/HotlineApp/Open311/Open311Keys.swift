import Fluent
import HotlineCore
import SQLKit
import Vapor

/// Open311 API keys (R-CIT-5): a client posts requests with one. The key is shown once when
/// made; only its hash is stored, with its first characters so an admin can tell keys apart.
struct Open311Keys {
    let db: any Database
    var sql: any SQLDatabase { db as! any SQLDatabase }

    struct Key: Sendable, Content {
        var id: UUID
        var name: String
        var prefix: String
        var createdAt: Date
        var revokedAt: Date?
    }

    /// Makes a key; returns it with the secret text, which is not stored.
    func create(name: String, by account: UUID?, at now: Date) async throws -> (Key, String) {
        let name = name.trimmed
        guard !name.isEmpty, name.count <= 100 else { throw APIProblem.invalid("name", "name is required: 1–100 characters") }
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        let text = "o311_" + String((0..<32).map { _ in alphabet.randomElement(using: &rng)! })
        let key = Key(id: UUID(), name: name, prefix: String(text.prefix(9)), createdAt: now, revokedAt: nil)
        try await sql.insert(into: "open311_keys")
            .columns("id", "name", "key_hash", "key_prefix", "created_at", "created_by")
            .values(SQLBind(key.id), SQLBind(key.name), SQLBind(TokenHash.of(text)), SQLBind(key.prefix), SQLBind(now), SQLBind(account))
            .run()
        return (key, text)
    }

    /// Revokes by id or by the prefix shown in lists; says whether a live key was revoked.
    func revoke(_ idOrPrefix: String, at now: Date) async throws -> Key? {
        let keys = try await list().filter { $0.revokedAt == nil && ($0.id.uuidString.lowercased() == idOrPrefix.lowercased() || $0.prefix == idOrPrefix) }
        guard keys.count == 1, let key = keys.first else { return nil }
        try await sql.raw("UPDATE open311_keys SET revoked_at = \(bind: now) WHERE id = \(bind: key.id)").run()
        return key
    }

    func list() async throws -> [Key] {
        try await sql.raw("SELECT id, name, key_prefix, created_at, revoked_at FROM open311_keys ORDER BY created_at").all().map {
            let r = OrderRows.Reader(row: $0)
            return Key(id: try r("id"), name: try r("name"), prefix: try r("key_prefix"), createdAt: try r("created_at"), revokedAt: try r.optional("revoked_at"))
        }
    }

    /// The live key with this text, if any.
    func verify(_ text: String) async throws -> UUID? {
        guard text.hasPrefix("o311_"), text.count < 100 else { return nil }
        guard let row = try await sql.raw("SELECT id FROM open311_keys WHERE key_hash = \(bind: TokenHash.of(text)) AND revoked_at IS NULL").first() else { return nil }
        return try row.decode(column: "id", as: UUID.self)
    }
}

/// `hotline open311 key create --name NAME` (prints the key), `… key revoke ID-OR-PREFIX`,
/// `… key list`.
struct Open311Command: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "object", help: "key") var object: String
        @Argument(name: "action", help: "create, revoke or list") var action: String
        @Option(name: "key", help: "for revoke: the key's id or its prefix (as list shows it)") var key: String?
        @Option(name: "name", help: "for create: who the key is for") var name: String?
    }

    var help: String { "Open311 API keys: open311 key create --name NAME | open311 key revoke --key ID-OR-PREFIX | open311 key list" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.object == "key" else { throw Abort(.badRequest, reason: "unknown object \(signature.object); use key") }
        let app = context.application
        let keys = Open311Keys(db: app.db)
        switch signature.action {
        case "create":
            guard let name = signature.name else { throw Abort(.badRequest, reason: "--name is required") }
            do {
                let (key, text) = try await keys.create(name: name, by: nil, at: app.hotline.now)
                context.console.print(text)
                context.console.print("created Open311 key \(key.prefix)… for \(key.name) (id \(key.id)); it is shown only now", newLine: true)
            } catch let p as APIProblem {
                throw Abort(.badRequest, reason: "\(p.field ?? ""): \(p.rule)")
            }
        case "revoke":
            guard let which = signature.key else { throw Abort(.badRequest, reason: "--key is required: the key's id or prefix") }
            guard let key = try await keys.revoke(which, at: app.hotline.now) else {
                throw Abort(.notFound, reason: "no live key has the id or prefix \(which) (or the prefix is shared; use the id)")
            }
            context.console.print("revoked Open311 key \(key.prefix)… (\(key.name))")
        case "list":
            for k in try await keys.list() {
                context.console.print("\(k.id)  \(k.prefix)…  \(k.name)  created \(k.createdAt.isoLocal)\(k.revokedAt.map { "  revoked \($0.isoLocal)" } ?? "")")
            }
        default:
            throw Abort(.badRequest, reason: "unknown action \(signature.action); use create, revoke or list")
        }
    }
}
