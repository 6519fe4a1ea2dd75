import Fluent

/// The fingerprint of the moments stored for each order (`ClockTimer.digest`), written in the
/// same statement as the order and its moments. The worker's sweep compares it with the
/// fingerprint of what the rules want now and reads the stored moments back only where the two
/// differ. NULL (every order before this migration, and a bulk load) never matches, so the
/// first sweep sets them all.
struct M011_AddTimersDigest: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("work_orders").field("timers_digest", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("work_orders").deleteField("timers_digest").update()
    }
}
