import Fluent
import HotlineCore
import Vapor

/// `hotline user create --username … --name … --unit CODE --roles agent,dispatcher`
/// The password is read from `--password` or the HOTLINE_NEW_PASSWORD environment variable.
struct UserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "create") var action: String
        @Option(name: "username") var username: String?
        @Option(name: "name", help: "display name") var name: String?
        @Option(name: "unit", help: "unit code; default the platform (12345)") var unit: String?
        @Option(name: "roles", help: "comma-separated: \(Role.allCases.map(\.rawValue).joined(separator: ","))") var roles: String?
        @Option(name: "password") var password: String?
    }

    var help: String { "Manage accounts: user create" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "create" else { throw Abort(.badRequest, reason: "unknown action \(signature.action); use create") }
        let app = context.application
        guard let username = signature.username else { throw Abort(.badRequest, reason: "--username is required") }
        guard let password = signature.password ?? Environment.get("HOTLINE_NEW_PASSWORD") else {
            throw Abort(.badRequest, reason: "--password or HOTLINE_NEW_PASSWORD is required")
        }
        var roles = Set<Role>()
        for r in (signature.roles ?? "").split(separator: ",") {
            guard let role = Role(rawValue: String(r)) else { throw Abort(.badRequest, reason: "unknown role \(r)") }
            roles.insert(role)
        }
        guard let unit = try await UnitModel.query(on: app.db).filter(\.$code == (signature.unit ?? "12345")).first() else {
            throw Abort(.badRequest, reason: "no unit with code \(signature.unit ?? "12345")")
        }
        do {
            let a = try await Accounts.create(username: username, displayName: signature.name ?? username, password: password, unitId: unit.id!, roles: roles, phone: nil, on: app.db, services: app.hotline, hasher: app.password.async)
            context.console.print("created \(a.username) in \(unit.name) with roles \(a.rolesText)")
        } catch let p as APIProblem {
            throw Abort(.badRequest, reason: "\(p.field ?? ""): \(p.rule)")
        }
    }
}
