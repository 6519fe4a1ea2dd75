import Fluent
import SQLKit

/// Units, accounts and logins (R-UNIT, R-ROLE).
struct M001_CreateUnitsAndAccounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("units")
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("level", .int, .required)
            .field("parent_id", .uuid, .references("units", "id"))
            .field("path", .string, .required)
            .field("kind", .string, .required)
            .field("division_code", .string)
            .field("leader_name", .string)
            .field("liaison_phone", .string)
            .field("active", .bool, .required)
            .unique(on: "code")
            .create()
        try await database.schema("accounts")
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("unit_id", .uuid, .required, .references("units", "id"))
            .field("roles", .string, .required)
            .field("phone", .string)
            .field("active", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "username")
            .create()
        try await database.schema("access_tokens")
            .id()
            .field("token_hash", .string, .required)
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "units_path_idx").on("units").column("path").run()
        try await sql.create(index: "units_parent_idx").on("units").column("parent_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("access_tokens").delete()
        try await database.schema("accounts").delete()
        try await database.schema("units").delete()
    }
}
