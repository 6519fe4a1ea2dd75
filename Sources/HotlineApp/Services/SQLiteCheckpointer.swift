import NIOConcurrencyHelpers
import NIOPosix
import SQLiteNIO
import Vapor

/// Copies committed pages from SQLite's write-ahead log into the database file, in the
/// background, on its own connection and its own thread.
///
/// By default SQLite does this inside whichever commit pushes the log past 1,000 pages: that
/// writer then copies and fsyncs the database file while every other writer waits behind it,
/// and one intake in a hundred took 200 ms instead of 2 (docs/PERFORMANCE.md). With automatic
/// checkpoints off on the app's connections (`SQLitePragmas`), this passive checkpoint runs
/// beside readers and writers and never blocks them. A crash loses nothing: the log itself is
/// durable, and SQLite replays it on the next open.
final class SQLiteCheckpointer: LifecycleHandler {
    struct Stats: Sendable { var runs = 0; var pagesCopied = 0; var failures = 0 }

    let path: String
    let interval: Duration
    private let state = NIOLockedValueBox<(task: Task<Void, Never>?, stats: Stats)>((nil, Stats()))

    init(path: String, interval: Duration = .seconds(1)) {
        self.path = path
        self.interval = interval
    }

    var stats: Stats { state.withLockedValue { $0.stats } }

    func didBootAsync(_ app: Application) async throws {
        // A thread of its own: a checkpoint fsyncs the database file, and the two threads of the
        // app's pool are what every query runs on.
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: pool, logger: app.logger, on: app.eventLoopGroup.any())
        } catch {
            try? await pool.shutdownGracefully()
            throw error
        }
        let logger = app.logger
        let interval = interval
        let task = Task { [state] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                do {
                    // Columns: busy flag, pages in the log, pages copied into the database.
                    let row = try await connection.query("PRAGMA wal_checkpoint(PASSIVE)").first
                    let copied = row?.column("checkpointed")?.integer ?? 0
                    state.withLockedValue { $0.stats.runs += 1; $0.stats.pagesCopied += max(0, copied) }
                } catch is CancellationError {
                    break
                } catch {
                    state.withLockedValue { $0.stats.failures += 1 }
                    logger.warning("SQLite checkpoint failed: \(error)")
                }
            }
            // The future-based calls: the async ones give up at once in a cancelled task.
            try? await connection.close().get()
            pool.shutdownGracefully { _ in }
        }
        state.withLockedValue { $0.task = task }
    }

    func shutdownAsync(_ app: Application) async {
        let task = state.withLockedValue { s in
            defer { s.task = nil }
            return s.task
        }
        task?.cancel()
        await task?.value
    }
}
