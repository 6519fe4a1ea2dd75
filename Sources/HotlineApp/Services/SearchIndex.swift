import Fluent
import FluentPostgresDriver
import Foundation
import HotlineCore
import NIOCore
import SQLKit

/// The full-text index over order text, kept in the same transaction as the order it indexes.
/// SQLite: an FTS5 table over bigram tokens, its rowids numbered by `work_order_search` in intake
/// order. PostgreSQL: a `tsvector` with positions under a GIN index. Tokens come from
/// `SearchTerms`, so both databases answer a query alike.
struct SearchIndex {
    let db: any Database
    let sql: any SQLDatabase

    init(_ db: any Database) {
        self.db = db
        self.sql = db as! any SQLDatabase
    }

    var isSQLite: Bool { sql.dialect.name == "sqlite" }

    /// What a search looks in: the title and the six elements' free text.
    static func text(of o: WorkOrder) -> String {
        [o.title, o.elements.place.address, o.elements.matter, o.elements.course, o.elements.wantedOutcome, o.elements.people].joined(separator: "\n")
    }

    func insert(_ o: WorkOrder) async throws {
        for statement in insertion(o) { try await sql.execute(sql: statement) { _ in } }
    }

    /// The statements that index a new order, to run in order in its transaction. On SQLite
    /// the FTS row takes the rowid the first statement drew, through `last_insert_rowid()`
    /// of the same connection; inside a group commit it waits for the end of the group
    /// (`WriteBatcher.Deferred`).
    func insertion(_ o: WorkOrder) -> [any SQLExpression] {
        let text = Self.text(of: o)
        if isSQLite {
            let row = SQLRowsInsert(table: "work_order_search", columns: ["work_order_id"], rows: [[.bind(o.id)]])
            if let group = WriteBatcher.Deferred.current {
                group.index(o.id, terms: SearchTerms.document(text))
                return [row]
            }
            return [row, "INSERT INTO work_order_fts (rowid, terms) VALUES (last_insert_rowid(), \(bind: SearchTerms.document(text)))" as SQLQueryString]
        }
        return ["INSERT INTO work_order_search (work_order_id, created_at, terms) VALUES (\(bind: o.id), \(bind: o.createdAt), \(bind: SearchTerms.tsvector(text))::tsvector)" as SQLQueryString]
    }

    /// Re-indexes an edited order, keeping its place in intake order.
    func update(_ o: WorkOrder) async throws {
        let text = Self.text(of: o)
        if isSQLite {
            // Indexed earlier in the same write and not yet written to FTS5: its terms change there.
            if let group = WriteBatcher.Deferred.current, group.reindex(o.id, terms: SearchTerms.document(text)) { return }
            guard let row = try await sql.raw("SELECT id FROM work_order_search WHERE work_order_id = \(bind: o.id)").first() else {
                return try await insert(o)
            }
            let rowid = try row.decode(column: "id", as: Int.self)
            try await sql.raw("DELETE FROM work_order_fts WHERE rowid = \(bind: rowid)").run()
            try await sql.raw("INSERT INTO work_order_fts (rowid, terms) VALUES (\(bind: rowid), \(bind: SearchTerms.document(text)))").run()
        } else {
            try await sql.raw("UPDATE work_order_search SET terms = \(bind: SearchTerms.tsvector(text))::tsvector WHERE work_order_id = \(bind: o.id)").run()
        }
    }

    /// SQLite: one statement for a group commit's FTS rows (`WriteBatcher.Deferred`), each
    /// under the rowid of its order's `work_order_search` row, written earlier in the same
    /// transaction. A write rolled back to its savepoint has no such row, so its text cannot
    /// reach the index. `CROSS JOIN` keeps SQLite's planner to that order: with the 100k
    /// city's statistics it chose to scan every search row and probe the few new ones
    /// instead, once per group (intake at 8 clients 375 -> 257 orders/s).
    static func groupInsertion(_ rows: [(id: UUID, terms: String)]) -> (any SQLExpression)? {
        guard !rows.isEmpty else { return nil }
        var values = SQLQueryString("")
        for (i, row) in rows.enumerated() {
            values.appendInterpolation(unsafeRaw: i == 0 ? "(" : ", (")
            values.appendInterpolation(bind: row.id)
            values.appendInterpolation(unsafeRaw: ", ")
            values.appendInterpolation(bind: row.terms)
            values.appendInterpolation(unsafeRaw: ")")
        }
        return "INSERT INTO work_order_fts (rowid, terms) SELECT s.id, v.column2 FROM (VALUES \(values)) AS v CROSS JOIN work_order_search s ON s.work_order_id = v.column1" as SQLQueryString
    }

    /// `work_orders.id IN (…matching…)`, to combine a text query with other filters; nil when
    /// the query has no searchable term.
    func matching(_ query: String) -> SQLQueryString? {
        let terms = SearchTerms.query(query)
        if isSQLite {
            guard let match = SearchTerms.fts5(terms) else { return nil }
            return "\(ident: "work_orders").\(ident: "id") IN (SELECT s.work_order_id FROM work_order_search s WHERE s.id IN (SELECT rowid FROM work_order_fts WHERE work_order_fts MATCH \(bind: match)))"
        }
        guard let q = SearchTerms.tsquery(terms) else { return nil }
        return "\(ident: "work_orders").\(ident: "id") IN (SELECT work_order_id FROM work_order_search WHERE terms @@ \(bind: q)::tsquery)"
    }

    /// Text searches count their matches up to this many: five pages of twenty, then "100+".
    /// Exact totals of common words cost PostgreSQL a visit to every matching row (390 ms for
    /// "噪音 扰民" over a million orders), and an agent does not page through five pages of
    /// results: they narrow the search instead. Counting to 100 rather than 200 halves the walk
    /// that finds a common word's matches (the sum of the benchmark's eight queries 92 -> 64 ms
    /// at a million orders), and a phrase of middling frequency now reaches the cap in the walk
    /// instead of being counted again through the GIN index (拖欠工资 29 -> 15 ms).
    static let countCap = 100

    /// The newest matching orders, straight off the index (a query with no other filter), and
    /// how many match, counted up to `cap`; `capped` says there are more than that.
    /// `walk` is how many of the newest orders are walked before the GIN index is asked.
    func newest(_ query: String, offset: Int, limit: Int, cap: Int = SearchIndex.countCap, walk: Int = 20_000) async throws -> (ids: [UUID], total: Int, capped: Bool) {
        let terms = SearchTerms.query(query)
        if isSQLite {
            guard let match = SearchTerms.fts5(terms) else { return ([], 0, false) }
            // Limits as literals: bound, they make SQLite parse the statement twice (`SharedStatement`).
            let counted = try await sql.raw("SELECT count(*) AS n FROM (SELECT rowid FROM work_order_fts WHERE work_order_fts MATCH \(bind: match) LIMIT \(unsafeRaw: String(cap + 1)))").first()?.decode(column: "n", as: Int.self) ?? 0
            let rows = try await sql.raw("""
                SELECT work_order_id FROM work_order_search WHERE id IN (
                  SELECT rowid FROM work_order_fts WHERE work_order_fts MATCH \(bind: match) ORDER BY rowid DESC LIMIT \(unsafeRaw: String(limit)) OFFSET \(unsafeRaw: String(offset)))
                ORDER BY id DESC
                """).all()
            return (try rows.map { try $0.decode(column: "work_order_id", as: UUID.self) }, min(counted, cap), counted > cap)
        }
        guard let q = SearchTerms.tsquery(terms) else { return ([], 0, false) }
        // Counting through the GIN index builds the bitmap of every match first (40 ms for two
        // common words over a million orders), however low the cap. A common word reaches the
        // cap among the newest 20,000 orders (`walk`) in a few milliseconds, so those are walked
        // first, newest first (`NewestMatches`); the same walk gives the matches in page order,
        // and a page among the first `cap` is read off it with no second query. Only a word
        // that does not reach the cap there is counted through the index, where its short
        // posting lists are cheap. (A probe of fewer orders to choose between the two was
        // tried: the newest orders are skewed towards the topics of the day, and a probe that
        // missed sent a common word to the index at ten times the cost.)
        var prepared: [UUID]?
        if walk == NewestMatches.window {
            prepared = await PreparedStatements.orNil(NewestMatches.name, on: db) { try await PreparedStatements.values(NewestMatches(query: q, limit: cap + 1), on: db) }
        }
        let walked: [UUID]
        if let prepared { walked = prepared } else { walked = try await newestMatches(q, window: walk, limit: cap + 1, offset: 0) }
        var counted = walked.count
        if counted <= cap {
            counted = try await sql.raw("SELECT count(*) AS n FROM (SELECT 1 FROM work_order_search WHERE terms @@ \(bind: q)::tsquery LIMIT \(bind: cap + 1)) m").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        // The walk covered the first orders in page order, so its matches are the first
        // matches: a page among them is final, and so is any page when the walk, not stopped
        // by its limit, found as many as the index holds.
        if offset + limit <= walked.count || (walked.count <= cap && walked.count >= counted) {
            return (Array(walked.dropFirst(offset).prefix(limit)), min(counted, cap), counted > cap)
        }
        var page: [UUID] = []
        let window = max(walk, (offset + limit) * 50)  // offset is bounded by `Paging`
        // A walk its limit did not stop saw every match among the newest `walk` orders: a
        // window no wider cannot hold the page.
        if counted > cap, walked.count > cap || window > walk {
            // A common word: its newest matches lie among the newest orders, so the page is
            // read walking a window of them newest first. The window's LIMIT makes the planner
            // walk the index instead of sorting the whole table, and keeps it from taking the
            // GIN index, which it would because it underestimates phrase matches a
            // thousandfold and then sorts every match to return twenty.
            page = try await newestMatches(q, window: window, limit: limit, offset: offset)
        }
        // A rare word, or a page beyond the window: the matches come from the GIN index and are sorted.
        if page.count < limit {
            page = try await sql.raw("""
                SELECT work_order_id FROM work_order_search WHERE terms @@ \(bind: q)::tsquery
                ORDER BY created_at DESC, work_order_id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)
                """).all().map { try $0.decode(column: "work_order_id", as: UUID.self) }
        }
        return (page, min(counted, cap), counted > cap)
    }

    /// `NewestMatches` unprepared, for any window and page: the newest `window` orders walked in
    /// page order, their matches of `q` from `offset`.
    private func newestMatches(_ q: String, window: Int, limit: Int, offset: Int) async throws -> [UUID] {
        try await sql.raw("""
            SELECT work_order_id FROM (
              SELECT work_order_id, created_at, terms FROM work_order_search ORDER BY created_at DESC, work_order_id DESC LIMIT \(bind: window)) newest
            WHERE terms @@ \(bind: q)::tsquery ORDER BY created_at DESC, work_order_id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)
            """).all().map { try $0.decode(column: "work_order_id", as: UUID.self) }
    }
}

/// A text query's newest matches among the newest 20,000 orders, in page order (newest
/// first, ties by id). Prepared on PostgreSQL: planning it cost about 0.9 ms, as much as a
/// walk that stops early. The window's LIMIT makes the planner walk the `created_at` index
/// (in groups of equal times, sorted by id) instead of taking the GIN index, which it would
/// because it underestimates phrase matches a thousandfold and would then sort every match.
/// The window is written into the text so that the generic plan knows it, and the query is
/// sent as a `tsquery` in text form, parsed once per run: sent as `text` and cast, a generic
/// plan would parse it again for every row walked.
struct NewestMatches: PostgresPreparedStatement {
    static let window = 20_000
    static let name = "newest_matches"
    static let sql = """
        SELECT work_order_id FROM (
          SELECT work_order_id, created_at, terms FROM work_order_search ORDER BY created_at DESC, work_order_id DESC LIMIT \(window)) newest
        WHERE terms @@ $1 ORDER BY created_at DESC, work_order_id DESC LIMIT $2
        """
    static var bindingDataTypes: [PostgresDataType] { [.tsquery, .int8] }
    typealias Row = UUID
    let query: String
    let limit: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(TSQueryText(text: query))
        try bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> UUID { try row.decode(UUID.self) }

    /// A `tsquery` in its text form (PostgreSQL's own parser reads it).
    struct TSQueryText: PostgresNonThrowingEncodable {
        static var psqlType: PostgresDataType { .tsquery }
        static var psqlFormat: PostgresFormat { .text }
        let text: String
        func encode<E: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<E>) {
            byteBuffer.writeString(text)
        }
    }
}
