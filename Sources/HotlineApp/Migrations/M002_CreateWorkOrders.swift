import Fluent
import SQLKit

/// Work orders, assignments, extensions, supervision, reminders and the timeline, with the
/// indexes the queues, inbox and lookups run on (designed for 20 million orders a year).
struct M002_CreateWorkOrders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("work_orders")
            .id()
            .field("number", .string, .required)
            .field("version", .int, .required)
            .field("channel", .string, .required)
            .field("request_type", .string, .required)
            .field("category_code", .string, .required)
            .field("urgency", .string, .required)
            .field("title", .string, .required)
            .field("time_text", .string, .required)
            .field("place_address", .string, .required)
            .field("place_division_code", .string)
            .field("place_latitude", .double)
            .field("place_longitude", .double)
            .field("people", .string, .required)
            .field("matter", .string, .required)
            .field("course", .string, .required)
            .field("wanted_outcome", .string, .required)
            .field("citizen_name", .string, .required)
            .field("citizen_phone", .string, .required)
            .field("citizen_id_number", .string)
            .field("citizen_address", .string)
            .field("wants_secrecy", .bool, .required)
            .field("anonymous", .bool, .required)
            .field("consents_disclosure", .bool, .required)
            .field("subject_unit_id", .uuid)
            .field("is_sensitive", .bool, .required)
            .field("status", .string, .required)
            .field("disposition", .string)
            .field("handling_mode", .string)
            .field("created_at", .datetime, .required)
            .field("created_by", .uuid)
            .field("dispatch_due_at", .datetime)
            .field("dispatch_warn_at", .datetime)
            .field("dispatched_at", .datetime)
            .field("proposal", .string)
            .field("leader_instruction", .string)
            .field("due_at", .datetime)
            .field("warn_at", .datetime)
            .field("limit_amount", .int)
            .field("limit_unit", .string)
            .field("redo_count", .int, .required)
            .field("answer", .string)
            .field("knowledge_article_ref", .string)
            .field("decline_reason_code", .string)
            .field("guide_target", .string)
            .field("merged_into_id", .uuid)
            .field("reviewed_at", .datetime)
            .field("callback_due_at", .datetime)
            .field("callback_attempts", .int, .required)
            .field("callback", .json)
            .field("closed_at", .datetime)
            .field("archived_at", .datetime)
            .field("appeal_count", .int, .required)
            .field("appeal_pending", .bool, .required)
            .unique(on: "number")
            .create()
        try await database.schema("assignments")
            .id()
            .field("work_order_id", .uuid, .required, .references("work_orders", "id"))
            .field("unit_id", .uuid, .required, .references("units", "id"))
            .field("unit_path", .string, .required)
            .field("unit_name", .string, .required)
            .field("unit_level", .int, .required)
            .field("unit_parent_id", .uuid)
            .field("role", .string, .required)
            .field("parent_id", .uuid)
            .field("status", .string, .required)
            .field("dispatched_at", .datetime, .required)
            .field("sign_due_at", .datetime, .required)
            .field("signed_at", .datetime)
            .field("signed_late", .bool, .required)
            .field("limit_amount", .int, .required)
            .field("limit_unit", .string, .required)
            .field("due_at", .datetime, .required)
            .field("warn_at", .datetime, .required)
            .field("paused_at", .datetime)
            .field("contact_due_at", .datetime)
            .field("contacted_at", .datetime)
            .field("return_reason", .string)
            .field("return_basis", .string)
            .field("return_requested_at", .datetime)
            .field("feedback", .json)
            .field("feedback_submitted_at", .datetime)
            .field("opinion", .string)
            .field("redo_count", .int, .required)
            .field("reminder_count", .int, .required)
            .field("completed_at", .datetime)
            .create()
        try await database.schema("extension_requests")
            .id()
            .field("work_order_id", .uuid, .required, .references("work_orders", "id"))
            .field("assignment_id", .uuid, .required, .references("assignments", "id"))
            .field("amount", .int, .required)
            .field("reason", .string, .required)
            .field("status", .string, .required)
            .field("requested_at", .datetime, .required)
            .field("requested_by", .uuid, .required)
            .field("decided_at", .datetime)
            .field("decision_note", .string)
            .create()
        try await database.schema("supervisions")
            .id()
            .field("work_order_id", .uuid, .required, .references("work_orders", "id"))
            .field("assignment_id", .uuid)
            .field("method", .string, .required)
            .field("note", .string, .required)
            .field("instruction", .string)
            .field("opened_at", .datetime, .required)
            .field("opened_by", .uuid, .required)
            .field("closed_at", .datetime)
            .field("closing_note", .string)
            .create()
        try await database.schema("reminders")
            .id()
            .field("work_order_id", .uuid, .required, .references("work_orders", "id"))
            .field("assignment_id", .uuid, .required)
            .field("note", .string, .required)
            .field("at", .datetime, .required)
            .field("by", .uuid)
            .field("automatic", .bool, .required)
            .create()
        try await database.schema("work_order_events")
            .id()
            .field("work_order_id", .uuid, .required, .references("work_orders", "id"))
            .field("seq", .int, .required)
            .field("at", .datetime, .required)
            .field("action", .string, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("actor_roles", .string, .required)
            .field("actor_unit_id", .uuid)
            .field("actor_unit_name", .string)
            .field("assignment_id", .uuid)
            .field("unit_id", .uuid)
            .field("from_status", .string)
            .field("to_status", .string)
            .field("note", .string)
            .field("details", .json, .required)
            .unique(on: "work_order_id", "seq")
            .create()
        // Daily sequence behind the order number (R-WO-1).
        try await database.schema("work_order_counters")
            .field("day", .string, .identifier(auto: false))
            .field("last", .int, .required)
            .create()

        let sql = database as! any SQLDatabase
        let indexes: [(String, String, [String])] = [
            ("work_orders_status_created_idx", "work_orders", ["status", "created_at"]),
            ("work_orders_status_due_idx", "work_orders", ["status", "due_at"]),
            ("work_orders_status_dispatch_due_idx", "work_orders", ["status", "dispatch_due_at"]),
            ("work_orders_phone_idx", "work_orders", ["citizen_phone", "created_at"]),
            ("work_orders_created_idx", "work_orders", ["created_at"]),
            ("work_orders_category_idx", "work_orders", ["category_code", "created_at"]),
            ("assignments_order_idx", "assignments", ["work_order_id"]),
            ("assignments_unit_status_due_idx", "assignments", ["unit_id", "status", "due_at"]),
            ("assignments_path_idx", "assignments", ["unit_path"]),
            ("assignments_status_due_idx", "assignments", ["status", "due_at"]),
            ("extension_requests_order_idx", "extension_requests", ["work_order_id"]),
            ("extension_requests_status_idx", "extension_requests", ["status"]),
            ("supervisions_order_idx", "supervisions", ["work_order_id"]),
            ("supervisions_open_idx", "supervisions", ["closed_at"]),
            ("reminders_order_idx", "reminders", ["work_order_id"]),
        ]
        for (name, table, columns) in indexes {
            var builder = sql.create(index: name).on(table)
            for c in columns { builder = builder.column(c) }
            try await builder.run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["work_order_counters", "work_order_events", "reminders", "supervisions", "extension_requests", "assignments", "work_orders"] {
            try await database.schema(table).delete()
        }
    }
}
