import Fluent
import SQLKit

/// The background side ([clocks]): the moments each order waits for (`clock_timers`, written
/// with every change of the order and taken by the worker), the messages owed (`outbox`,
/// written in the same transaction as the event that caused them, then delivered), and the
/// messages' editable texts (`message_templates`, R-ADM-1).
struct M008_CreateClocksAndOutbox: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema("clock_timers")
            .id()
            // kind:subject:basis — unique, so a moment once taken is never stored again.
            .field("key", .string, .required)
            .field("kind", .string, .required)
            .field("work_order_id", .uuid, .required)
            .field("assignment_id", .uuid)
            .field("due_at", .datetime, .required)
            // pending → done (acted) or obsolete (the order moved on).
            .field("state", .string, .required)
            // A worker's claim; an expired lease is free again (a crashed worker's timers).
            .field("lease_until", .datetime)
            .field("taken_at", .datetime)
            .unique(on: "key")
            .create()
        try await sql.create(index: "clock_timers_due_idx").on("clock_timers").column("state").column("due_at").run()
        try await sql.create(index: "clock_timers_order_idx").on("clock_timers").column("work_order_id").run()

        try await database.schema("outbox")
            .id()
            .field("created_at", .datetime, .required)
            .field("work_order_id", .uuid)
            .field("channel", .string, .required)
            .field("recipient", .string, .required)
            // Who the recipient is, for people reading the outbox: liaison, handler, citizen…
            .field("recipient_kind", .string, .required)
            .field("template", .string, .required)
            .field("body", .string, .required)
            // pending → sent, or dead after the last attempt.
            .field("state", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("lease_until", .datetime)
            .field("last_error", .string)
            .field("sent_at", .datetime)
            .create()
        try await sql.create(index: "outbox_due_idx").on("outbox").column("state").column("next_attempt_at").run()
        try await sql.create(index: "outbox_order_idx").on("outbox").column("work_order_id").run()

        try await database.schema("message_templates")
            .field("key", .string, .identifier(auto: false))
            .field("body", .string, .required)
            .field("description", .string, .required)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("message_templates").delete()
        try await database.schema("outbox").delete()
        try await database.schema("clock_timers").delete()
    }
}
