import Fluent
import HotlineCore
import SQLKit

/// The Chinese full-text index ([scale]) and the dashboard's sensitive-order index. The index
/// tables differ by database (FTS5 vs tsvector/GIN); `SearchIndex` hides the difference. Orders
/// stored before this migration are indexed here.
struct M005_CreateSearchIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if sql.dialect.name == "sqlite" {
            // The integer key numbers documents in intake order: FTS5 reads its rowids newest
            // first without sorting, and VACUUM cannot renumber an INTEGER PRIMARY KEY.
            try await sql.raw("CREATE TABLE work_order_search (id INTEGER PRIMARY KEY, work_order_id BLOB NOT NULL UNIQUE REFERENCES work_orders (id))").run()
            // Contentless: the text lives in work_orders; the index keeps only tokens and positions.
            try await sql.raw("CREATE VIRTUAL TABLE work_order_fts USING fts5(terms, content='', contentless_delete=1, tokenize='unicode61')").run()
        } else {
            try await sql.raw("CREATE TABLE work_order_search (work_order_id uuid PRIMARY KEY REFERENCES work_orders (id), created_at timestamptz NOT NULL, terms tsvector NOT NULL)").run()
            try await sql.raw("CREATE INDEX work_order_search_terms_idx ON work_order_search USING gin (terms)").run()
            try await sql.raw("CREATE INDEX work_order_search_created_idx ON work_order_search (created_at)").run()
        }
        try await sql.create(index: "work_orders_sensitive_status_idx").on("work_orders").column("is_sensitive").column("status").run()

        let index = SearchIndex(database)
        var offset = 0
        while true {
            let page = try await WorkOrderModel.query(on: database).sort(\.$createdAt).sort(\.$id).range(offset..<(offset + 1000)).all()
            if page.isEmpty { break }
            for o in page { try await index.insert(o.value) }
            offset += page.count
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "work_orders_sensitive_status_idx").run()
        if sql.dialect.name == "sqlite" { try await sql.raw("DROP TABLE work_order_fts").run() }
        try await sql.raw("DROP TABLE work_order_search").run()
    }
}
