import Fluent
import SQLKit

/// Call events ([clocks] item 4, R-IN-4): the calls the CTI reported (`calls`), the orders
/// recorded during each (`call_orders`, one call may raise several matters), and the
/// extension (座席分机) each agent is signed in at, so a ringing call reaches that agent's
/// screen.
struct M009_CreateCalls: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema("accounts").field("extension", .string).update()
        // Unique, so a call rings on one screen; NULL (not signed in at a seat) any number of times.
        try await sql.create(index: "accounts_extension_idx").on("accounts").column("extension").unique().run()

        try await database.schema("calls")
            .id()
            .field("call_id", .string, .required)
            .field("caller_number", .string, .required)
            .field("agent_extension", .string, .required)
            .field("state", .string, .required)
            .field("ringing_at", .datetime, .required)
            .field("answered_at", .datetime)
            .field("ended_at", .datetime)
            .field("recording_url", .string)
            // When this platform last changed it: what a console's live channel follows.
            .field("updated_at", .datetime, .required)
            .unique(on: "call_id")
            .create()
        try await sql.create(index: "calls_extension_updated_idx").on("calls").column("agent_extension").column("updated_at").run()

        try await database.schema("call_orders")
            .id()
            .field("call_id", .string, .required)
            .field("work_order_id", .uuid, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "call_id", "work_order_id")
            .create()
        try await sql.create(index: "call_orders_order_idx").on("call_orders").column("work_order_id").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema("call_orders").delete()
        try await database.schema("calls").delete()
        try await sql.drop(index: "accounts_extension_idx").run()
        try await database.schema("accounts").deleteField("extension").update()
    }
}
