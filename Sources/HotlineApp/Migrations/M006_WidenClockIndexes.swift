import Fluent
import SQLKit

/// The yellow light is `due_at >= now AND warn_at <= now`. With `warn_at` outside the
/// (status, due_at) index, counting or listing yellow orders fetched every handled order's row;
/// with it inside, the index answers alone ([scale]: the dashboard counters). The same for the
/// dispatch clock. The wider indexes replace the narrower ones, whose every use they cover.
struct M006_WidenClockIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.create(index: "work_orders_status_due_warn_idx").on("work_orders").column("status").column("due_at").column("warn_at").run()
        try await sql.create(index: "work_orders_status_dispatch_clock_idx").on("work_orders").column("status").column("dispatch_due_at").column("dispatch_warn_at").run()
        try await sql.drop(index: "work_orders_status_due_idx").run()
        try await sql.drop(index: "work_orders_status_dispatch_due_idx").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.create(index: "work_orders_status_due_idx").on("work_orders").column("status").column("due_at").run()
        try await sql.create(index: "work_orders_status_dispatch_due_idx").on("work_orders").column("status").column("dispatch_due_at").run()
        try await sql.drop(index: "work_orders_status_due_warn_idx").run()
        try await sql.drop(index: "work_orders_status_dispatch_clock_idx").run()
    }
}
