import Fluent
import SQLKit

/// Notices filed by units (信息报备: outages, roadworks, traffic control; R-IN-5), shown to
/// agents taking calls about the place, and the dispatch catalogue (派单目录: category × area →
/// responsible unit; R-UNIT-4), which drives the dispatcher's suggestions.
struct M007_CreateNoticesAndCatalogue: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("notices")
            .id()
            .field("unit_id", .uuid, .required, .references("units", "id"))
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("area", .string, .required)
            .field("division_code", .string)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("created_at", .datetime, .required)
            .field("created_by", .uuid, .required)
            .create()
        try await (database as! any SQLDatabase).create(index: "notices_ends_idx").on("notices").column("ends_at").run()
        try await database.schema("dispatch_catalogue")
            .id()
            .field("category_prefix", .string, .required)
            .field("division_prefix", .string)
            .field("unit_id", .uuid, .required, .references("units", "id"))
            .field("note", .string)
            .create()
        try await (database as! any SQLDatabase).create(index: "dispatch_catalogue_category_idx").on("dispatch_catalogue").column("category_prefix").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("dispatch_catalogue").delete()
        try await database.schema("notices").delete()
    }
}
