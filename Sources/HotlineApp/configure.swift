import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import HotlineCore
import Leaf
import Vapor

/// All setup of the app. Tests call it with their own settings (in-memory SQLite, or the
/// PostgreSQL that `DATABASE_URL` names).
public func configure(_ app: Application, settings: Settings) async throws {
    app.hotline = HotlineServices(settings: settings)
    // JSON responses written as they are encoded (see `StreamingJSONEncoder`); requests are
    // still read by Foundation's decoder.
    ContentConfiguration.global.use(encoder: StreamingJSONEncoder(), for: .json)
    switch settings.database {
    case .sqliteMemory:
        // One configuration for both: each `.memory` names a database of its own.
        useSQLite(app, SQLiteConfiguration(storage: .memory))
    case .sqliteFile(let path):
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        useSQLite(app, SQLiteConfiguration(storage: .file(path: path)))
    case .postgres(let url):
        var config = try SQLPostgresConfiguration(url: url)
        // Loopback and test servers have no TLS; production URLs say sslmode themselves.
        if !url.contains("sslmode=") { config.coreConfiguration.tls = .disable }
        app.databases.use(.postgres(configuration: config, maxConnectionsPerEventLoop: 4), as: .psql)
    }
    app.passwords.use(.bcrypt(cost: settings.passwordCost))

    // The append-only ledger of migrations: never edit a shipped one, add the next number.
    app.migrations.add(M001_CreateUnitsAndAccounts())
    app.migrations.add(M002_CreateWorkOrders())
    app.migrations.add(M003_CreateAdministration())
    app.migrations.add(M004_SeedReferenceData())
    app.migrations.add(M005_CreateSearchIndex())
    app.migrations.add(M006_WidenClockIndexes())
    app.migrations.add(M007_CreateNoticesAndCatalogue())
    app.migrations.add(M008_CreateClocksAndOutbox())
    app.migrations.add(M009_CreateCalls())
    app.migrations.add(M010_CreateCitizenChannels())
    app.migrations.add(M011_AddTimersDigest())
    app.migrations.add(M012_CoverInboxIndex())

    if settings.database.isSQLite {
        // WAL now, before anything boots or migrates: it is stored in the file, and without it a
        // reader and a writer on two pooled connections can lock each other out. WAL lets
        // readers run beside the single writer.
        _ = try await (app.db as! any SQLDatabase).raw("PRAGMA journal_mode=WAL").all()
        try await SQLitePragmas.applyToEveryConnection(app)
        if let checkpointer = app.hotline.checkpointer { app.lifecycle.use(checkpointer) }
    }

    // The console's templates and files live under the working directory (`Resources/Views`,
    // `Public`); tests point `app.directory` at the package.
    app.views.use(.leaf)

    app.middleware = Middlewares()
    // First in, so it counts every handler; its lifecycle half is registered last, so it runs
    // first at shutdown, before anything the handlers use is closed.
    let drain = app.hotline.requestDrain
    app.middleware.use(drain)
    app.middleware.use(ProblemMiddleware())
    app.middleware.use(TokenAuthenticator())
    app.middleware.use(PublicFiles(publicDirectory: app.directory.publicDirectory))

    // 20 MB attachments plus headroom; other bodies are small JSON.
    app.routes.defaultMaxBodySize = "1mb"
    try routes(app)

    app.lifecycle.use(drain)
    if settings.worker {
        app.lifecycle.use(WorkerService { app in Worker.standard(app) })
    }

    app.asyncCommands.use(SeedCommand(), as: "seed")
    app.asyncCommands.use(UserCommand(), as: "user")
    app.asyncCommands.use(CalendarCommand(), as: "calendar")
    app.asyncCommands.use(WorkerCommand(), as: "worker")
    app.asyncCommands.use(Open311Command(), as: "open311")
}

func routes(_ app: Application) throws {
    let api = app.grouped("api", "v1")
    try api.register(collection: OpenAPIController())
    try api.register(collection: AuthController())
    try api.register(collection: WorkOrderController())
    try api.register(collection: AssignmentController())
    try api.register(collection: QueueController())
    try api.register(collection: AdminController())
    try api.register(collection: CalendarController())
    try api.register(collection: AttachmentController())
    try api.register(collection: NoticeController())
    try api.register(collection: OutboxController())
    try api.register(collection: SmsController())
    try api.register(collection: TelephonyController())
    try api.register(collection: AssessmentController())
    try api.register(collection: PublicationController())
    try app.register(collection: Open311Controller())
    app.get("health") { _ in ["status": "ok"] }

    // The staff console (server-rendered, Simplified Chinese first).
    let console = app.grouped(ConsoleHeadersMiddleware())
    try console.register(collection: ConsoleController())
    try console.register(collection: PortalController())
    let staff = console.grouped(ConsoleLoginRequired())
    ConsoleController().bootLoggedIn(staff)
    try staff.register(collection: ConsoleOrderController())
    try staff.register(collection: ConsoleIntakeController())
    try staff.register(collection: ConsoleQueueController())
    try staff.register(collection: ConsoleAdminController())
    try staff.register(collection: ConsoleNoticeController())
    try staff.register(collection: ConsoleOutboxController())
    try staff.register(collection: ConsoleCallController())
    try staff.register(collection: ConsoleAssessmentController())
    try staff.register(collection: ConsoleOpen311Controller())
}

extension DatabaseID {
    /// The SQLite file again, for the one connection that writes (`WriteBatcher`).
    static let sqliteWriter = DatabaseID(string: "sqlite-writer")
}

/// SQLite: the pooled connections that read (one per event loop), and one more for the writes
/// that go through the write batcher (every write a request makes; migrations and seeds
/// write on the pooled ones, before the server serves).
///
/// A connection in WAL mode drops its whole page cache whenever it finds that another
/// connection has committed; the writer, alone in committing, keeps its cache warm. Before,
/// each group of writes ran on the connection of its first request's event loop, so every
/// commit emptied the other connection's cache: at a million orders the writer's pages read
/// back through the kernel were 8.1% of the SQLite threads' samples, and are 1.4% now.
private func useSQLite(_ app: Application, _ configuration: SQLiteConfiguration) {
    app.databases.use(.sqlite(configuration), as: .sqlite)
    app.databases.use(.sqlite(configuration), as: .sqliteWriter, isDefault: false)
    app.hotline.writeBatcher?.writer = app.databases.database(.sqliteWriter, logger: app.logger, on: app.eventLoopGroup.next())
}

/// Per-connection SQLite settings. The pool keeps one connection per event loop, so touching
/// each loop's pool once, and the writer's, reaches every connection the app will use.
enum SQLitePragmas {
    /// A handle on each connection: each event loop's reader, then the writer.
    static func everyConnection(_ app: Application) -> [any Database] {
        let readers = app.eventLoopGroup.makeIterator().map { app.databases.database(.sqlite, logger: app.logger, on: $0)! }
        return readers + [app.hotline.writeBatcher?.writer].compactMap { $0 }
    }

    static func applyToEveryConnection(_ app: Application) async throws {
        for db in everyConnection(app) {
            let db = db as! any SQLiteDatabase
            try await db.withConnection { conn in
                // synchronous=FULL makes each commit durable before the citizen gets a number (R-NF-4).
                _ = try await conn.query("PRAGMA synchronous=FULL")
                // sqlite-nio's own busy handler retries at once and for ever, spinning one of its
                // two pool threads; two such spinners starve the lock holder of a thread and the
                // process hangs. A timeout sleeps between retries and ends in SQLITE_BUSY (an
                // error the client sees) instead. Writes also take the app's write gate
                // (`HotlineServices.write`), so this is the backstop, not the plan.
                _ = try await conn.query("PRAGMA busy_timeout=5000")
                // 32 MB of page cache per connection instead of 2 MB: queue and lookup pages stay
                // in memory instead of being read again through the kernel on every request.
                _ = try await conn.query("PRAGMA cache_size=-32768")
                // Checkpoints run in the background (`SQLiteCheckpointer`), not inside a commit.
                _ = try await conn.query("PRAGMA wal_autocheckpoint=0")
            }
        }
    }
}
