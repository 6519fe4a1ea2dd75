import Fluent
import HotlineCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The background side ([clocks]): every round it takes the clock timers that are due
/// (`ClockTimers`) through the rules (`Lifecycle.fire`), and delivers the outbox.
///
/// Exactly once, across instances and crashes: a round claims rows with a lease (skipping rows
/// another instance holds on PostgreSQL); each timer is then taken in a transaction of its own
/// that marks it taken only if it is still pending and stores the order's change, its events,
/// its new timers and its messages — all or nothing. A worker killed mid-round leaves its
/// claims to expire and be taken by another; nothing it had not committed happened.
struct Worker: Sendable {
    struct Options: Sendable {
        /// Seconds between rounds.
        var interval: Double = 5
        var batch: Int = 200
        /// How long a claim holds before another worker may take the row.
        var lease: TimeInterval = 60
        var maxAttempts: Int = 8
    }

    let app: Application
    let sender: any MessageSender
    var options = Options()

    /// The worker the settings ask for: the webhook sender when a gateway is configured, the
    /// log otherwise.
    static func standard(_ app: Application) -> Worker {
        let s = app.hotline.settings
        let sender: any MessageSender
        if let url = s.smsWebhookURL, let secret = s.smsWebhookSecret {
            sender = WebhookSender(client: app.client, url: URI(string: url), secret: SymmetricKey(data: Data(secret.utf8)))
        } else {
            sender = LogSender(logger: app.logger)
        }
        return Worker(app: app, sender: sender, options: Options(interval: s.workerInterval, lease: s.workerLease))
    }

    struct Round: Sendable, Equatable {
        var taken = 0
        var obsolete = 0
        var sent = 0
        var failed = 0
    }

    /// One round at `now`: timers first (their messages then go out in the same round).
    func round(now: Date) async throws -> Round {
        var r = Round()
        try await takeTimers(now: now, into: &r)
        try await deliver(now: now, into: &r)
        return r
    }

    private struct AlreadyTaken: Error {}

    func takeTimers(now: Date, into r: inout Round) async throws {
        let db = app.db
        let services = app.hotline
        let options = self.options
        let claimed = try await services.write(on: db) { tx in try await ClockTimers(db: tx).claim(now: now, limit: options.batch, lease: options.lease) }
        guard !claimed.isEmpty else { return }
        let lifecycle = try await RulesLoader(db: db, services: services).lifecycle(now: now)
        for due in claimed {
            do {
                let acted = try await services.write(on: db) { tx -> Bool in
                    let repo = WorkOrderRepository(db: tx)
                    let timers = ClockTimers(db: tx)
                    // The order first: another worker taking another of its timers waits here,
                    // before it locks any timer row, and then reads the order as this one left
                    // it. (Locking the timer first let two workers wait on each other.)
                    try await timers.lockOrder(due.timer.workOrderId)
                    guard let loaded = try await repo.find(due.timer.workOrderId), let outcome = lifecycle.fire(due.timer, on: loaded.aggregate) else {
                        guard try await timers.finish(due.id, state: "obsolete", at: now) else { throw AlreadyTaken() }
                        return false
                    }
                    guard try await timers.finish(due.id, state: "done", at: now) else { throw AlreadyTaken() }
                    let t = outcome.transition
                    try await repo.save(t, over: loaded, actor: nil, at: now, timers: lifecycle.timers(for: t.aggregate), messages: outcome.messages)
                    return true
                }
                if acted { r.taken += 1 } else { r.obsolete += 1 }
            } catch is AlreadyTaken {
                continue
            } catch let p as APIProblem where p.code == APIProblem.staleVersion.code {
                // Someone changed the order meanwhile: the next round decides again.
                try? await services.write(on: db) { tx in try await ClockTimers(db: tx).release(due.id) }
            } catch {
                // Nothing of this timer was stored; it stays pending for a later round.
                app.logger.warning("worker: timer \(due.timer.key) not taken: \(String(reflecting: error))")
                try? await services.write(on: db) { tx in try await ClockTimers(db: tx).release(due.id) }
                r.failed += 1
            }
        }
    }

    /// Where a sweep's time went, for the benchmark (bench/sweep.py).
    struct SweepTimes: Sendable {
        var orders = 0
        /// Orders whose stored moments were not the ones wanted, and were mended.
        var mended = 0
        var read: Duration = .zero
        var compute: Duration = .zero
        var write: Duration = .zero
    }

    /// Sets every open order's timers from its state now: after an upgrade that brought the
    /// timers table (orders stored before it have none), after a bulk load, or after the
    /// clock rules or the calendar changed. Moments already taken are not stored again.
    ///
    /// Each order is read only as far as its clocks go (`ClockFacts`: a few columns of the
    /// order, and of its shares while it is being handled), its moments computed, and their
    /// fingerprint compared with the one stored with its moments; only orders whose
    /// fingerprints differ have their stored moments read back and mended.
    func sweep(now: Date, progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> SweepTimes {
        let lifecycle = try await RulesLoader(db: app.db, services: app.hotline).lifecycle(now: now)
        // The open orders' id range is cut into one stripe per core, each walked on its own
        // connection (SQLite's pool has one per event loop), so reading, which is most of a
        // sweep, runs on every core. Ids are time-ordered: stripes are spans of intake time.
        let stripes = try await ClockTimers(db: app.db).stripes(System.coreCount)
        let done = NIOLockedValueBox(0)
        var loops = app.eventLoopGroup.makeIterator()
        return try await withThrowingTaskGroup(of: SweepTimes.self) { group in
            for stripe in stripes {
                let db = app.databases.database(logger: app.logger, on: loops.next()!)!
                group.addTask {
                    try await walk(stripe, on: db, lifecycle: lifecycle) { n in progress(done.withLockedValue { $0 += n; return $0 }) }
                }
            }
            var total = SweepTimes()
            for try await t in group {
                total.orders += t.orders
                total.mended += t.mended
                total.read += t.read
                total.compute += t.compute
                total.write += t.write
            }
            // After a bulk of new moments (the first sweep after a load), PostgreSQL's planner
            // still thinks the timers table small until autovacuum's next look, and the
            // worker's per-order DELETE ran as a scan of every pending moment meanwhile.
            if total.mended > 1000, let sql = app.db as? any SQLDatabase, sql.dialect.name == "postgresql" {
                try await sql.raw("ANALYZE clock_timers").run()
            }
            return total
        }
    }

    /// One stripe of the sweep: pages by id, so the walk neither repeats nor skips while the
    /// worker runs beside it. The next page is read while this one is computed and mended.
    private func walk(_ stripe: ClockTimers.Stripe, on db: any Database, lifecycle: Lifecycle, counted: @Sendable (Int) -> Void) async throws -> SweepTimes {
        var times = SweepTimes()
        let clock = ContinuousClock()
        var t = clock.now
        var page = try await ClockTimers(db: db).openOrders(after: stripe.after, through: stripe.through, limit: 1000)
        times.read += clock.now - t
        while let last = page.last {
            async let following = ClockTimers(db: db).openOrders(after: last.facts.orderId, through: stripe.through, limit: 1000)
            t = clock.now
            let wanted = page.compactMap { stored -> ClockTimers.Wanted? in
                let timers = lifecycle.timers(for: stored.facts)
                let digest = ClockTimer.digest(timers)
                return digest == stored.digest ? nil : .init(id: stored.facts.orderId, version: stored.version, timers: timers, digest: digest)
            }
            times.compute += clock.now - t
            t = clock.now
            if !wanted.isEmpty {
                times.mended += try await app.hotline.write(on: db) { tx in try await ClockTimers(db: tx).reconcile(wanted) }
            }
            times.write += clock.now - t
            times.orders += page.count
            counted(page.count)
            t = clock.now
            page = try await following
            times.read += clock.now - t
        }
        return times
    }

    func deliver(now: Date, into r: inout Round) async throws {
        let db = app.db
        let services = app.hotline
        let options = self.options
        let claimed = try await services.write(on: db) { tx in try await Outbox(db: tx).claim(now: now, limit: options.batch, lease: options.lease) }
        for m in claimed {
            do {
                try await sender.send(m)
                try await services.write(on: db) { tx in try await Outbox(db: tx).markSent(m.id, attempts: m.attempts + 1, at: now) }
                r.sent += 1
            } catch {
                app.logger.warning("outbox \(m.id) attempt \(m.attempts + 1) failed: \(error)")
                try await services.write(on: db) { tx in
                    try await Outbox(db: tx).markFailed(m.id, attempts: m.attempts + 1, error: String(describing: error), at: now, maxAttempts: options.maxAttempts)
                }
                r.failed += 1
            }
        }
    }
}

/// Runs the worker's rounds inside `hotline serve` (and `hotline worker`) until shutdown.
final class WorkerService: LifecycleHandler, Sendable {
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)
    let makeWorker: @Sendable (Application) -> Worker

    init(_ makeWorker: @escaping @Sendable (Application) -> Worker) { self.makeWorker = makeWorker }

    func didBootAsync(_ app: Application) async throws {
        let worker = makeWorker(app)
        task.withLockedValue {
            $0 = Task {
                while !Task.isCancelled {
                    do {
                        let r = try await worker.round(now: app.hotline.now)
                        if r != Worker.Round() { app.logger.info("worker: \(r.taken) timers taken, \(r.obsolete) obsolete, \(r.sent) sent, \(r.failed) failed") }
                    } catch {
                        app.logger.error("worker round failed: \(error)")
                    }
                    try? await Task.sleep(for: .milliseconds(Int(worker.options.interval * 1000)))
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        let t = task.withLockedValue { $0 }
        t?.cancel()
        await t?.value
    }
}
