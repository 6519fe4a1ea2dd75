import Fluent
import SQLKit

/// Dictionaries, parameters, time-limit rules, imported calendar years, idempotency keys,
/// the personal-data access log and attachments (R-ADM, R-NF-5, R-WO-8).
struct M003_CreateAdministration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("dictionary_entries")
            .id()
            .field("kind", .string, .required)
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("name_en", .string)
            .field("parent_code", .string)
            .field("sort", .int, .required)
            .field("active", .bool, .required)
            .unique(on: "kind", "code")
            .create()
        try await database.schema("parameters")
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .field("updated_at", .datetime)
            .field("updated_by", .uuid)
            .create()
        try await database.schema("time_limit_rules")
            .id()
            .field("request_type", .string)
            .field("category_prefix", .string)
            .field("urgency", .string)
            .field("amount", .int, .required)
            .field("unit", .string, .required)
            .create()
        try await database.schema("calendar_notices")
            .field("year", .int, .identifier(auto: false))
            .field("content", .string, .required)
            .field("imported_at", .datetime, .required)
            .field("imported_by", .uuid)
            .create()
        try await database.schema("idempotency_keys")
            .id()
            .field("account_id", .uuid, .required)
            .field("key", .string, .required)
            .field("work_order_id", .uuid, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "account_id", "key")
            .create()
        try await database.schema("personal_data_access_log")
            .id()
            .field("account_id", .uuid, .required)
            .field("account_name", .string, .required)
            .field("work_order_id", .uuid, .required)
            .field("fields", .string, .required)
            .field("purpose", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await database.schema("attachments")
            .id()
            .field("work_order_id", .uuid, .required, .references("work_orders", "id"))
            .field("file_name", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("sha256", .string, .required)
            .field("storage_path", .string, .required)
            .field("uploaded_at", .datetime, .required)
            .field("uploaded_by", .uuid, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "pdal_order_idx").on("personal_data_access_log").column("work_order_id").run()
        try await sql.create(index: "pdal_account_idx").on("personal_data_access_log").column("account_id").column("at").run()
        try await sql.create(index: "attachments_order_idx").on("attachments").column("work_order_id").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["attachments", "personal_data_access_log", "idempotency_keys", "calendar_notices", "time_limit_rules", "parameters", "dictionary_entries"] {
            try await database.schema(table).delete()
        }
    }
}
