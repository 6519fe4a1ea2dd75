import Fluent
import SQLKit

/// Citizens' channels ([citizens], R-CIT): the query secret and its lockout of each order,
/// the published (masked) copies of orders, Open311 API keys, and which orders came through
/// Open311 (with the token a client may look them up by).
struct M010_CreateCitizenChannels: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        // The query secret of each order and its lookup lockout, apart from the order's row:
        // written with the order in the same statement (a data-modifying WITH on PostgreSQL
        // cannot update a row its own statement inserts), and a citizen's lookups never touch
        // the order. Orders recorded before this migration have none (staff look them up).
        try await database.schema("query_secrets")
            .field("work_order_id", .uuid, .identifier(auto: false))
            .field("secret_hash", .string, .required)
            .field("failures", .int, .required)
            .field("locked_until", .datetime)
            .create()

        try await database.schema("publications")
            .field("work_order_id", .uuid, .identifier(auto: false))
            .field("number", .string, .required)
            .field("category_code", .string, .required)
            .field("request_type", .string, .required)
            .field("title", .string, .required)
            .field("matter", .string, .required)
            .field("address", .string, .required)
            .field("answer", .string, .required)
            // When the citizen asked (Open311's requested_datetime) and when it was closed.
            .field("requested_at", .datetime, .required)
            .field("closed_at", .datetime)
            .field("published_at", .datetime, .required)
            .field("published_by", .uuid, .required)
            .field("withdrawn_at", .datetime)
            .create()
        try await sql.create(index: "publications_published_idx").on("publications").column("withdrawn_at").column("published_at").run()
        try await sql.create(index: "publications_requested_idx").on("publications").column("requested_at").run()

        try await database.schema("open311_keys")
            .id()
            .field("name", .string, .required)
            .field("key_hash", .string, .required)
            // The first characters, so an admin can tell keys apart without the key.
            .field("key_prefix", .string, .required)
            .field("created_at", .datetime, .required)
            .field("created_by", .uuid)
            .field("revoked_at", .datetime)
            .unique(on: "key_hash")
            .create()

        try await database.schema("open311_requests")
            .field("work_order_id", .uuid, .identifier(auto: false))
            .field("token", .string, .required)
            .field("key_id", .uuid, .required)
            .field("requested_at", .datetime, .required)
            .unique(on: "token")
            .create()
        try await sql.create(index: "open311_requests_requested_idx").on("open311_requests").column("requested_at").run()
        // An acceptance text an admin edited before {secret} existed gets the secret added, so
        // every citizen is told it (edits that drop it are refused from now on).
        try await sql.raw("""
            UPDATE message_templates SET body = body || '查询密码{secret}。' WHERE "key" = 'citizen.accepted' AND body NOT LIKE '%{secret}%'
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("open311_requests").delete()
        try await database.schema("open311_keys").delete()
        try await database.schema("publications").delete()
        try await database.schema("query_secrets").delete()
    }
}
