import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import HotlineCore
import PostgresNIO
import SQLKit
import SQLiteNIO
import Vapor

extension SyntheticCity {
    /// Seeds an empty database. Two chunks are generated ahead on the cooperative pool while
    /// the writer stores the previous one, so generation and the database's own work overlap.
    static func run(_ app: Application, options: Options, progress: @escaping @Sendable (String) -> Void) async throws -> Report {
        let started = Date()
        let db = app.db
        guard try await WorkOrderModel.query(on: db).count() == 0, try await UnitModel.query(on: db).count() <= 1 else {
            throw Abort(.conflict, reason: "seed --synthetic needs an empty database (only migrations run); this one already has units or orders")
        }
        guard options.orders > 0, options.days > 0 else { throw Abort(.badRequest, reason: "--synthetic and --days must be positive") }

        var (city, report) = try await buildCity(app: app, db: db)
        progress("\(report.units) units, \(report.accounts) accounts")

        let services = app.hotline
        let now = services.now
        let calendar = try await services.calendars.calendar(on: db, now: now)
        let rules = RulesLoader(db: db, services: services)
        let random = SharedRandom()
        let context = LifecycleContext(
            now: now, calendar: calendar, policy: try await rules.policy(), limits: try await rules.limits(),
            newID: { var g = random; return UUID.timeOrdered(Date(), using: &g) },
            sample: { var g = random; return Double.random(in: 0..<1, using: &g) })
        let times = schedule(orders: options.orders, days: options.days, now: now, calendar: calendar, seed: options.seed)
        var numbers: [String] = []
        numbers.reserveCapacity(times.count)
        var counters: [String: Int] = [:]
        for t in times {
            let day = calendar.localDate(of: t).description.replacingOccurrences(of: "-", with: "")
            let n = (counters[day] ?? 0) + 1
            counters[day] = n
            numbers.append(day + n.padded(6))
        }
        let isSQLite = (db as! any SQLDatabase).dialect.name == "sqlite"
        let frozenCity = city
        let frozenTimes = times, frozenNumbers = numbers
        let chunk = max(1, options.chunk ?? (isSQLite ? 6_000 : 2_000))
        let chunks = stride(from: 0, to: times.count, by: chunk).map { $0..<min($0 + chunk, times.count) }

        @Sendable func produce(_ range: Range<Int>) throws -> Produced {
            let chunk = generate(range: range, times: frozenTimes, numbers: frozenNumbers, city: frozenCity, now: now, context: context, seed: options.seed)
            return try tables(for: chunk, sqlite: isSQLite)
        }

        let base = report
        let sqlDB = db as! any SQLDatabase
        let keys = try await foreignKeys(sqlDB, sqlite: isSQLite)
        let uniques = try await unreferencedUniques(sqlDB, sqlite: isSQLite)
        let indexes = try await secondaryIndexes(sqlDB, sqlite: isSQLite)
        // What is set aside at any moment, so that a failure anywhere puts it back. Unique
        // constraints come back before the foreign keys.
        var keysDown: [(table: String, name: String, definition: String)] = []
        var uniquesDown: [(table: String, name: String, definition: String)] = []
        var indexesDown: [(name: String, definition: String)] = []
        do {
            for key in keys {
                try await sqlDB.raw("ALTER TABLE \(ident: key.table) DROP CONSTRAINT \(ident: key.name)").run()
                keysDown.append(key)
            }
            for unique in uniques {
                try await sqlDB.raw("ALTER TABLE \(ident: unique.table) DROP CONSTRAINT \(ident: unique.name)").run()
                uniquesDown.append(unique)
            }
            for index in indexes {
                try await sqlDB.drop(index: index.name).run()
                indexesDown.append(index)
            }
            progress("\(indexes.count) secondary indexes, \(uniques.count) unique constraints and \(keys.count) foreign keys set aside for the load")
            report = try await withWriter(app, sqlite: isSQLite) { writer in
                var report = base
                try await withThrowingTaskGroup(of: (Int, Produced).self) { group in
                    var next = 0
                    var ready: [Int: Produced] = [:]
                    var written = 0
                    let ahead = max(4, 2 * System.coreCount)
                    while next < min(ahead, chunks.count) {
                        let k = next, range = chunks[k]
                        group.addTask { (k, try produce(range)) }
                        next += 1
                    }
                    while written < chunks.count {
                        guard let (k, produced) = try await group.next() else { break }
                        ready[k] = produced
                        while let p = ready.removeValue(forKey: written) {
                            try await writer.write(p.batch)
                            report.orders += p.orders
                            report.events += p.events
                            report.assignments += p.assignments
                            for (s, n) in p.byStatus { report.byStatus[s, default: 0] += n }
                            written += 1
                            if next < chunks.count {
                                let k = next, range = chunks[k]
                                group.addTask { (k, try produce(range)) }
                                next += 1
                            }
                            if written % 25 == 0 || written == chunks.count {
                                progress("\(report.orders) orders, \(report.events) events (\(Int(Date().timeIntervalSince(started)))s)")
                            }
                        }
                    }
                }
                return report
            }
            progress("building \(indexes.count) indexes and \(uniques.count) unique constraints")
            // PostgreSQL builds them on two connections at once: a GIN build and ANALYZE run
            // on one core each, and the other core would sit idle.
            let builds = indexes.map { index in
                (weight: Self.weight(table: index.definition, definition: index.definition), run: { @Sendable in try await rebuild([index], on: sqlDB) })
            } + uniques.map { unique in
                (weight: Self.weight(table: unique.table, definition: unique.definition), run: { @Sendable in try await restore([unique], on: sqlDB) })
            }
            try await Self.inLanes(isSQLite ? 1 : 2, builds)
            indexesDown = []
            uniquesDown = []
            progress("checking \(keys.count) foreign keys")
            while let key = keysDown.first {
                try await restore([key], on: sqlDB)
                keysDown.removeFirst()
            }
        } catch {
            for index in indexesDown { try? await rebuild([index], on: sqlDB) }
            for unique in uniquesDown { try? await restore([unique], on: sqlDB) }
            for key in keysDown { try? await restore([key], on: sqlDB) }
            throw error
        }
        // Day counters continue after the seeded numbers.
        let sql = db as! any SQLDatabase
        for (day, last) in counters {
            try await sql.raw("INSERT INTO work_order_counters (day, last) VALUES (\(bind: day), \(bind: last))").run()
        }
        progress("analysing tables for the query planner")
        // SQLite: statistics from a sample of each index (its documented approximate mode),
        // not a full read of a multi-gigabyte file.
        if isSQLite {
            try await sql.raw("PRAGMA analysis_limit=2000").run()
            try await sql.raw("ANALYZE").run()
        } else {
            let tables = try await sql.raw("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()").all()
                .map { try $0.decode(column: "name", as: String.self) }
            try await Self.inLanes(2, tables.map { table in
                (weight: Self.weight(table: table, definition: table == "work_order_search" ? "gin" : ""), run: { @Sendable in try await sql.raw("ANALYZE \(ident: table)").run() })
            })
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// The tables the load fills.
    static let loadedTables = ["work_orders", "assignments", "extension_requests", "supervisions", "reminders", "work_order_events", "work_order_search"]

    /// The loaded tables' secondary indexes (not those behind primary keys or unique
    /// constraints), which the load sets aside: building an index once over sorted rows is far
    /// cheaper than inserting millions of rows into it one at a time in random order.
    static func secondaryIndexes(_ sql: any SQLDatabase, sqlite: Bool) async throws -> [(name: String, definition: String)] {
        let tables = SQLList(loadedTables.map { SQLLiteral.string($0) })
        let rows: [any SQLRow]
        if sqlite {
            rows = try await sql.raw("SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (\(tables)) ORDER BY name").all()
        } else {
            rows = try await sql.raw("""
                SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename IN (\(tables))
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
                ORDER BY i.indexname
                """).all()
        }
        return try rows.map { (name: try $0.decode(column: "name", as: String.self), definition: try $0.decode(column: "definition", as: String.self)) }
    }

    /// PostgreSQL checks a foreign key with a trigger per inserted row: eleven million of them
    /// for the timeline alone. The loaded tables' foreign keys are set aside for the load and
    /// added back after it, when PostgreSQL checks all rows in one pass (so a broken reference
    /// still fails the seed). SQLite's checks are index lookups inside the insert; they stay.
    static func foreignKeys(_ sql: any SQLDatabase, sqlite: Bool) async throws -> [(table: String, name: String, definition: String)] {
        guard !sqlite else { return [] }
        let tables = SQLList(loadedTables.map { SQLLiteral.string($0) })
        let rows = try await sql.raw("""
            SELECT c.conrelid::regclass::text AS table_name, c.conname AS name, pg_get_constraintdef(c.oid) AS definition
            FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid::regclass::text IN (\(tables)) ORDER BY 1, 2
            """).all()
        return try rows.map { (table: try $0.decode(column: "table_name", as: String.self), name: try $0.decode(column: "name", as: String.self), definition: try $0.decode(column: "definition", as: String.self)) }
    }

    /// PostgreSQL checks primary keys and unique constraints with a B-tree insert per row; for
    /// the tables no foreign key points at (the timeline above all: eleven million rows, two
    /// such indexes) they are set aside too and built once after the load, from sorted rows,
    /// which still fails the seed on a duplicate. Tables that foreign keys reference keep theirs.
    static func unreferencedUniques(_ sql: any SQLDatabase, sqlite: Bool) async throws -> [(table: String, name: String, definition: String)] {
        guard !sqlite else { return [] }
        let tables = SQLList(loadedTables.map { SQLLiteral.string($0) })
        let rows = try await sql.raw("""
            SELECT c.conrelid::regclass::text AS table_name, c.conname AS name, pg_get_constraintdef(c.oid) AS definition
            FROM pg_constraint c WHERE c.contype IN ('p', 'u') AND c.conrelid::regclass::text IN (\(tables))
              AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = c.conrelid)
            ORDER BY 1, 2
            """).all()
        return try rows.map { (table: try $0.decode(column: "table_name", as: String.self), name: try $0.decode(column: "name", as: String.self), definition: try $0.decode(column: "definition", as: String.self)) }
    }

    /// A rough cost, for sharing builds between connections: the timeline has eleven rows for
    /// each order, and a GIN index over the search terms costs more than a B-tree.
    static func weight(table: String, definition: String) -> Int {
        (table.contains("work_order_events") ? 11 : 1) * (definition.lowercased().contains("gin") ? 15 : 1)
    }

    /// Runs the jobs on `lanes` concurrent tasks (each takes its own pooled connection), the
    /// heaviest first, each to the lane with the least work so far.
    static func inLanes(_ lanes: Int, _ jobs: [(weight: Int, run: @Sendable () async throws -> Void)]) async throws {
        var plan = Array(repeating: [@Sendable () async throws -> Void](), count: max(1, lanes))
        var load = Array(repeating: 0, count: plan.count)
        for job in jobs.sorted(by: { $0.weight > $1.weight }) {
            let lane = load.indices.min { load[$0] < load[$1] }!
            plan[lane].append(job.run)
            load[lane] += job.weight
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in plan {
                group.addTask { for run in lane { try await run() } }
            }
            try await group.waitForAll()
        }
    }

    static func restore(_ keys: [(table: String, name: String, definition: String)], on sql: any SQLDatabase) async throws {
        for key in keys { try await sql.raw("ALTER TABLE \(ident: key.table) ADD CONSTRAINT \(ident: key.name) \(unsafeRaw: key.definition)").run() }
    }

    static func rebuild(_ indexes: [(name: String, definition: String)], on sql: any SQLDatabase) async throws {
        // The definitions are the databases' own text, read back from their catalogues.
        for index in indexes { try await sql.raw("\(unsafeRaw: index.definition)").run() }
    }

    struct Produced: Sendable {
        var batch: EncodedBatch
        var orders = 0, events = 0, assignments = 0
        var byStatus: [String: Int] = [:]
    }

    static func tables(for chunk: Chunk, sqlite: Bool) throws -> Produced {
        var orders = BulkTable(WorkOrderModel.schema, columns: BulkRows.orderColumns)
        var assignments = BulkTable(AssignmentModel.schema, columns: BulkRows.assignmentColumns)
        var extensions = BulkTable(ExtensionRequestModel.schema, columns: BulkRows.extensionColumns)
        var supervisions = BulkTable(SupervisionModel.schema, columns: BulkRows.supervisionColumns)
        var reminders = BulkTable(ReminderModel.schema, columns: BulkRows.reminderColumns)
        var events = BulkTable(WorkOrderEventModel.schema, columns: BulkRows.eventColumns)
        var search = BulkTable("work_order_search", columns: sqlite ? ["id", "work_order_id"] : ["work_order_id", "created_at", "terms"])
        var fts = BulkTable("work_order_fts", columns: ["rowid", "terms"])
        var p = Produced(batch: .sqlite([]))
        var rolesText: [UUID: String] = [:]
        var ids = SeededGenerator(seed: UInt64.random(in: 0...UInt64.max))
        for (slot, (a, history)) in zip(chunk.slots, chunk.stories) {
            let id = a.order.id
            orders.add(BulkRows.order(a.order))
            for asg in a.assignments { assignments.add(BulkRows.assignment(asg)) }
            for e in a.extensions { extensions.add(BulkRows.extensionRequest(e, workOrderId: id)) }
            for s in a.supervisions { supervisions.add(BulkRows.supervision(s, workOrderId: id)) }
            for r in a.reminders { reminders.add(BulkRows.reminder(r, workOrderId: id)) }
            for (i, h) in history.enumerated() {
                let roles: String
                if let actor = h.1 {
                    if let known = rolesText[actor.accountId] { roles = known } else {
                        roles = AccountModel.text(actor.roles)
                        rolesText[actor.accountId] = roles
                    }
                } else {
                    roles = "system"
                }
                events.add(BulkRows.event(h.0, id: UUID.timeOrdered(h.2, using: &ids), workOrderId: id, seq: i + 1, at: h.2, actor: h.1, rolesText: roles))
            }
            let text = SearchIndex.text(of: a.order)
            if sqlite {
                // The schedule slot numbers documents in intake order (FTS5 rowid order).
                search.add([.int(slot + 1), .uuid(id)])
                fts.add([.int(slot + 1), .text(SearchTerms.document(text))])
            } else {
                // The tsvector literal as text: COPY casts it on the way in.
                search.add([.uuid(id), .date(a.order.createdAt), .text(SearchTerms.tsvector(text))])
            }
            p.orders += 1
            p.events += history.count
            p.assignments += a.assignments.count
            p.byStatus[a.order.status.rawValue, default: 0] += 1
        }
        p.batch = try EncodedBatch.encode([orders, assignments, extensions, supervisions, reminders, events, search] + (sqlite ? [fts] : []), sqlite: sqlite)
        return p
    }

    /// One connection for the whole load, tuned for bulk writing and put back afterwards.
    static func withWriter(_ app: Application, sqlite: Bool, _ body: @escaping @Sendable (any BulkWriter) async throws -> Report) async throws -> Report {
        if sqlite {
            let db = app.db as! any SQLiteDatabase
            return try await db.withConnection { conn in
                // A bulk load can be redone from the seed, so it need not wait for the disk on
                // every batch; the running server keeps synchronous=FULL (configure.swift).
                _ = try await conn.query("PRAGMA synchronous=OFF")
                _ = try await conn.query("PRAGMA cache_size=-512000")
                _ = try await conn.query("PRAGMA temp_store=MEMORY")
                // The app's connections leave checkpoints to `SQLiteCheckpointer`, which cannot
                // reset the log while this writer never pauses: it grew to twice the database.
                // The loader checkpoints in its own commits, as SQLite does by default.
                // 10,000 pages (40 MB): a hot index page rewritten by several batches reaches the
                // database file once per checkpoint, not once per batch.
                _ = try await conn.query("PRAGMA wal_autocheckpoint=10000")
                let report: Report
                do {
                    report = try await body(SQLiteBulkWriter(connection: conn))
                } catch {
                    _ = try? await conn.query("PRAGMA synchronous=FULL")
                    _ = try? await conn.query("PRAGMA wal_autocheckpoint=0")
                    throw error
                }
                _ = try await conn.query("PRAGMA synchronous=FULL")
                _ = try await conn.query("PRAGMA wal_autocheckpoint=0")
                _ = try await conn.query("PRAGMA wal_checkpoint(TRUNCATE)")
                return report
            }
        } else {
            let db = app.db as! any PostgresDatabase
            let logger = app.logger
            return try await db.withConnection { conn in
                conn.eventLoop.makeFutureWithTask {
                    // Same reasoning: the load is repeatable, so it does not wait for WAL flushes.
                    _ = try await conn.query("SET synchronous_commit = off", logger: logger)
                    return try await body(PostgresBulkWriter(connection: conn, logger: logger))
                }
            }.get()
        }
    }
}
