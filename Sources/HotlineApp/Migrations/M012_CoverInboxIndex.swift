import Fluent
import SQLKit

/// A unit's inbox counts a bucket and picks its page of lines ordered by `(due_at, id)`; the
/// yellow bucket also tests `warn_at`. With only `(unit_id, status, due_at)` in the index, both
/// fetched the row of every line in the bucket: the count to test `warn_at`, the pick to sort
/// by `id` (hundreds of rows for a district at a million orders, most of a page's cost). With
/// `id` and `warn_at` inside, the index answers the count and the pick of the to-sign, in-hand,
/// yellow and red buckets alone, and only the page's own lines are read ([scale]). (The redo
/// and approvals buckets also test `redo_count` and pending extensions, so they still read the
/// rows of the unit's open lines; they are a leader's short lists.) The wider index replaces
/// the narrower one, whose every use it covers.
struct M012_CoverInboxIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.create(index: "assignments_unit_status_due_id_warn_idx").on("assignments")
            .column("unit_id").column("status").column("due_at").column("id").column("warn_at").run()
        try await sql.drop(index: "assignments_unit_status_due_idx").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.create(index: "assignments_unit_status_due_idx").on("assignments").column("unit_id").column("status").column("due_at").run()
        try await sql.drop(index: "assignments_unit_status_due_id_warn_idx").run()
    }
}
