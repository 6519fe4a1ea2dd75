import Fluent
import HotlineCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The clock, behind a value so tests pin time (isowords, Vernissage).
public struct AppClock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date) { self.now = now }
    public static let system = AppClock { Date() }

    /// A clock tests move by hand.
    public static func manual(_ start: Date) -> (AppClock, @Sendable (Date) -> Void) {
        let box = NIOLockedValueBox(start)
        return (AppClock { box.withLockedValue { $0 } }, { d in box.withLockedValue { $0 = d } })
    }
}

/// Side effects and shared state of the shell, stored on the Application.
public final class HotlineServices: Sendable {
    public let settings: Settings
    let clockBox: NIOLockedValueBox<AppClock>
    let calendars: CalendarStore
    /// Parameters, limit rules and dictionary codes (`RulesCache`).
    let rules = RulesCache()
    /// SQLite allows one writer; our own writes queue here instead of failing with
    /// SQLITE_BUSY, and commit in groups (`WriteBatcher`). PostgreSQL needs neither: row
    /// versions and locks do the work.
    let writeBatcher: WriteBatcher?
    /// A SQLite file's background checkpoints (started when the app boots).
    let checkpointer: SQLiteCheckpointer?
    /// Counts running handlers; shutdown waits for them (`RequestDrain`).
    let requestDrain = RequestDrain()
    /// Wakes the consoles' live call channels in this process (`CallBell`).
    let callBell = CallBell()
    /// The public side's per-address and per-phone limits (`CitizenChannel`).
    let rateLimiter = RateLimiter()
    /// Order numbers drawn ahead while intake is busy (`NumberBlocks`).
    let numberBlocks = NumberBlocks()
    /// Sessions looked up lately (`SessionCache`).
    let sessions: SessionCache

    init(settings: Settings) {
        self.settings = settings
        self.clockBox = NIOLockedValueBox(.system)
        self.calendars = CalendarStore(officeHours: settings.officeHours)
        self.sessions = SessionCache(lifetime: .milliseconds(Int64(settings.sessionCacheSeconds * 1000)))
        self.writeBatcher = settings.database.isSQLite ? WriteBatcher() : nil
        if case .sqliteFile(let path) = settings.database { checkpointer = SQLiteCheckpointer(path: path) } else { checkpointer = nil }
    }

    public var clock: AppClock {
        get { clockBox.withLockedValue { $0 } }
        set { clockBox.withLockedValue { $0 = newValue } }
    }

    public var now: Date { clock.now() }
}

extension Application {
    private struct HotlineKey: StorageKey { typealias Value = HotlineServices }

    public var hotline: HotlineServices {
        get {
            guard let s = storage[HotlineKey.self] else { fatalError("configure(_:settings:) was not called") }
            return s
        }
        set { storage[HotlineKey.self] = newValue }
    }
}

extension Request {
    var hotline: HotlineServices { application.hotline }
    var now: Date { application.hotline.now }
}

/// A FIFO async mutex.
actor AsyncGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func leave() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}

extension HotlineServices {
    /// Runs a write transaction. On SQLite it waits its turn behind the other writes, and may
    /// share its transaction with those that queued alongside it; either way `body` has run
    /// and committed when this returns, or it has thrown and none of its writes remain.
    ///
    /// `runsStatements: false` promises that `body` runs no statement and only hands rows to
    /// its group (`WriteBatcher.Deferred`): in a group it then needs no savepoint.
    func write<T: Sendable>(on db: any Database, runsStatements: Bool = true, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let writeBatcher else { return try await db.transaction(body) }
        let result = NIOLockedValueBox<T?>(nil)
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            writeBatcher.submit(WriteBatcher.Job(
                db: db,
                runsStatements: runsStatements,
                run: { tx in
                    let value = try await body(tx)
                    result.withLockedValue { $0 = value }
                },
                finish: { error in
                    if let error { done.resume(throwing: error) } else { done.resume() }
                }))
        }
        return result.withLockedValue { $0! }
    }
}

extension HotlineServices {
    /// A write that is one statement. On PostgreSQL it runs on its own, committed durably as it
    /// ends: one round trip instead of `BEGIN`, the statement and `COMMIT` (an order's detail
    /// logs each view of personal data so, R-NF-5). On SQLite it takes its turn in the group
    /// commit like any write.
    func writeOne(_ statement: any SQLExpression, on db: any Database) async throws {
        guard writeBatcher != nil else { return try await (db as! any SQLDatabase).execute(sql: statement) { _ in } }
        try await write(on: db) { tx in try await (tx as! any SQLDatabase).execute(sql: statement) { _ in } }
    }
}

/// Group commit for SQLite. Writes run one at a time, in the order they were submitted; the
/// writes that queued while a transaction was running go together into the next one, each
/// inside a savepoint of its own, so one write's failure rolls back only its own changes (a
/// write that runs no statement, `Job.runsStatements`, needs none). What they leave to the
/// end of the group (`Deferred`) is written after the last savepoint.
/// None is answered before the transaction that holds it has committed.
///
/// At eight concurrent intakes one order per transaction spent a fifth of the CPU in commits
/// (writing the log, flushing FTS5's segment, the fsync) that a group shares.
final class WriteBatcher: Sendable {
    struct Job: Sendable {
        let db: any Database
        /// False for a write that only hands rows to the group's end (intake): it has nothing
        /// to roll back, so it runs without a savepoint, two statements fewer on the writer.
        var runsStatements = true
        let run: @Sendable (any Database) async throws -> Void
        let finish: @Sendable ((any Error)?) -> Void
    }

    /// A bound on one transaction's length, so a long queue still commits in steps.
    static let maxBatch = 32

    private struct State {
        var queue: [Job] = []
        var draining = false
        var transactions = 0
        var reruns = 0
        var withoutSavepoint = 0
    }

    /// Transactions run so far (for tests and diagnostics: fewer than the writes means groups).
    var transactions: Int { state.withLockedValue { $0.transactions } }

    /// Writes waiting for the running group to end (for tests: to know a write has queued).
    var queued: Int { state.withLockedValue { $0.queue.count } }

    /// Writes that ran in a group without a savepoint, since they run no statement of their
    /// own (`Job.runsStatements`; for tests and diagnostics).
    var withoutSavepoint: Int { state.withLockedValue { $0.withoutSavepoint } }

    /// Groups that failed as a whole and had their writes run again one by one (for tests
    /// and diagnostics: a full disk or I/O error, nothing a request can cause).
    var reruns: Int { state.withLockedValue { $0.reruns } }

    private let state = NIOLockedValueBox(State())

    /// The connection every group runs on (`configure` sets it, see `useSQLite`); without one,
    /// a group runs on its first write's database.
    var writer: (any Database)? {
        get { writerBox.withLockedValue { $0 } }
        set { writerBox.withLockedValue { $0 = newValue } }
    }

    private let writerBox = NIOLockedValueBox<(any Database)?>(nil)

    func submit(_ job: Job) {
        let start = state.withLockedValue { s -> Bool in
            s.queue.append(job)
            guard !s.draining else { return false }
            s.draining = true
            return true
        }
        if start { Task { await drain() } }
    }

    private func drain() async {
        while true {
            let batch = state.withLockedValue { s -> [Job] in
                let batch = Array(s.queue.prefix(Self.maxBatch))
                s.queue.removeFirst(batch.count)
                if batch.isEmpty { s.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            await run(batch, on: writer ?? batch[0].db)
            state.withLockedValue { $0.transactions += 1 }
        }
    }

    private func run(_ batch: [Job], on db: any Database) async {
        let outcomes: [(any Error)?]
        do {
            outcomes = try await db.transaction { tx in
                let sql = tx as! any SQLDatabase
                var outcomes: [(any Error)?] = []
                // What the writes that succeed leave to the end, written after the last savepoint.
                var deferred: [Deferred.Content] = []
                for job in batch {
                    let leftOver = Deferred()
                    // Alone, a write needs no savepoint: its failure rolls the transaction back.
                    if batch.count == 1 {
                        try await Deferred.$current.withValue(leftOver) { try await job.run(tx) }
                        outcomes.append(nil)
                        deferred.append(leftOver.content)
                        continue
                    }
                    if !job.runsStatements {
                        self.state.withLockedValue { $0.withoutSavepoint += 1 }
                        #if DEBUG
                        let changes = try await Self.totalChanges(sql)
                        #endif
                        do {
                            try await Deferred.$current.withValue(leftOver) { try await job.run(tx) }
                            outcomes.append(nil)
                            deferred.append(leftOver.content)
                        } catch {
                            outcomes.append(error)
                        }
                        #if DEBUG
                        let after = try await Self.totalChanges(sql)
                        assert(after == changes, "a write submitted with runsStatements: false changed rows")
                        #endif
                        continue
                    }
                    try await sql.raw("SAVEPOINT batched_write").run()
                    do {
                        try await Deferred.$current.withValue(leftOver) { try await job.run(tx) }
                        try await sql.raw("RELEASE batched_write").run()
                        outcomes.append(nil)
                        deferred.append(leftOver.content)
                    } catch {
                        try await sql.raw("ROLLBACK TO batched_write").run()
                        try await sql.raw("RELEASE batched_write").run()
                        outcomes.append(error)
                    }
                }
                // A failure here fails the group, and each write is run again alone (below),
                // its own statements then in its own order.
                for statement in Deferred.statements(deferred) { try await sql.execute(sql: statement) { _ in } }
                return outcomes
            }
        } catch {
            // The transaction failed as a whole: nothing in it was kept. Alone, the write gets its
            // error. In a group, some SQLite errors (a full disk, I/O) end the transaction and
            // take the savepoint with them, and the others would get "no such savepoint" for
            // someone else's failure: each is run again by itself, and gets its own outcome.
            guard batch.count > 1 else {
                batch[0].finish(error)
                return
            }
            state.withLockedValue { $0.reruns += 1 }
            for job in batch { await run([job], on: db) }
            return
        }
        for (job, outcome) in zip(batch, outcomes) { job.finish(outcome) }
    }

    #if DEBUG
    /// Rows the connection has changed so far: debug builds check that a write without a
    /// savepoint changed none.
    private static func totalChanges(_ sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT total_changes() AS n").first()?.decode(column: "n", as: Int.self) ?? 0
    }
    #endif
}

extension WriteBatcher {
    /// What a write in a group leaves to the end of the group, after the last savepoint, just
    /// before the group commits (SQLite).
    ///
    /// - **Its new order's FTS row.** FTS5 keeps new terms in memory and writes them out as a
    ///   new segment of its index at every savepoint and every statement that opens a statement
    ///   journal, and each segment costs merge work later. With each write in a savepoint of its
    ///   own, every order in a group wrote its own segment: in a replay of the intake's
    ///   statements on the 1M city (groups of eight), half of the writer's time. Written at the
    ///   end, a group makes one segment.
    /// - **Inserts that nothing in the group reads** (`insertAtEnd`; intake's rows). Those of
    ///   the same table and columns go into one multi-row statement: a group of eight intakes
    ///   makes six inserts instead of forty-eight, each parsed and planned once (sqlite-nio
    ///   keeps no prepared statements) and each one trip to SQLite's thread instead of eight.
    ///
    /// Each write collects its own; the group takes them only from the writes that succeeded.
    final class Deferred: Sendable {
        /// What the write running in this task leaves to its group, if it runs in one.
        @TaskLocal static var current: Deferred?

        struct Content {
            var inserts: [SQLRowsInsert] = []
            var searchRows: [(id: UUID, terms: String)] = []
        }

        private let box = NIOLockedValueBox(Content())

        var content: Content { box.withLockedValue { $0 } }

        /// Inserts to run at the end of the group, in this order. Rows handed over here are
        /// not in the database until then: only for rows that neither this write nor another
        /// in the group reads, and that cannot fail (no unique key a request can race for):
        /// a failure there fails the whole group.
        func insertAtEnd(_ inserts: [SQLRowsInsert]) {
            assert(inserts.allSatisfy { !$0.suffix.lowercased().contains("returning") }, "a deferred insert returns nothing")
            box.withLockedValue { $0.inserts += inserts }
        }

        func index(_ id: UUID, terms: String) {
            box.withLockedValue { $0.searchRows.append((id, terms)) }
        }

        /// Takes over what another `Deferred` collected: intake builds its rows before its
        /// write, outside the writer, and hands them to its group from inside.
        func adopt(_ other: Deferred) {
            let content = other.content
            box.withLockedValue {
                $0.inserts += content.inserts
                $0.searchRows += content.searchRows
            }
        }

        /// Changes the terms of an order indexed in this write; false if it was not.
        func reindex(_ id: UUID, terms: String) -> Bool {
            box.withLockedValue { c in
                guard let i = c.searchRows.lastIndex(where: { $0.id == id }) else { return false }
                c.searchRows[i].terms = terms
                return true
            }
        }

        /// The group's statements: the inserts of each table and column list merged, in the
        /// order of each one's first appearance, then the FTS rows. Parents stay before their
        /// children: intake, the one write that defers, makes the order's row first, and every
        /// other row it defers refers only to that order or to rows already stored.
        static func statements(_ writes: [Content]) -> [any SQLExpression] {
            var merged: [SQLRowsInsert] = []
            var slot: [String: Int] = [:]
            for insert in writes.flatMap(\.inserts) {
                let key = insert.table + "\u{0}" + insert.columns.joined(separator: ",") + "\u{0}" + insert.suffix
                if let i = slot[key] {
                    merged[i].rows += insert.rows
                } else {
                    slot[key] = merged.count
                    merged.append(insert)
                }
            }
            // A group holds at most `maxBatch` writes, a few rows of each table apiece.
            assert(merged.allSatisfy { $0.rows.count * $0.columns.count < 32_766 }, "within SQLite's bound on a statement's parameters")
            return merged + [SearchIndex.groupInsertion(writes.flatMap(\.searchRows))].compactMap { $0 }
        }
    }
}

extension Request {
    private struct DatabaseKey: StorageKey { typealias Value = any Database }

    /// The request's database, made at its first use and kept: Fluent builds a new handle at
    /// every `req.db` (looking up its driver's opaque result type each time): two uses were
    /// 3.9% of an intake's server samples in session 14's profile (docs/PERFORMANCE.md).
    var database: any Database {
        if let db = storage[DatabaseKey.self] { return db }
        let db = self.db
        storage[DatabaseKey.self] = db
        return db
    }
}

extension Request {
    /// `content.decode`, for a JSON body without parsing its `Content-Type` header into a media
    /// type first (Vapor does that at every decode: 2.4% of an intake's server CPU in session
    /// 14's profile). Any other body goes through `content.decode` as before, errors included.
    func decodeBody<T: Decodable>(_ type: T.Type) throws -> T {
        if let body = body.data, let contentType = headers.first(name: .contentType), Self.isJSON(contentType) {
            return try Self.jsonDecoder.decode(T.self, from: body, headers: headers)
        }
        return try content.decode(T.self)
    }

    /// The decoder `content.decode` uses for JSON, taken once (`configure` sets none of its own).
    private static let jsonDecoder: any ContentDecoder = (try? ContentConfiguration.global.requireDecoder(for: .json)) ?? JSONDecoder()

    /// `application/json`, in any case, alone or followed by parameters.
    static func isJSON(_ contentType: String) -> Bool {
        let expected = "application/json".utf8
        let given = contentType.utf8
        guard given.count >= expected.count else { return false }
        var i = given.startIndex
        for e in expected {
            let g = given[i]
            guard g == e || (g >= 65 && g <= 90 && g + 32 == e) else { return false }
            i = given.index(after: i)
        }
        return i == given.endIndex || given[i] == UInt8(ascii: ";") || given[i] == UInt8(ascii: " ")
    }
}
