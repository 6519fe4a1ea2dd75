import NIOConcurrencyHelpers
import Vapor

/// `hotline worker [--once]`: the background worker alone, without the HTTP server, for a
/// deployment that runs it apart. Several may run on one PostgreSQL (`Worker` explains why no
/// action is taken twice); on SQLite run one. Stops on SIGINT or SIGTERM after its round.
struct WorkerCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "once", help: "Run one round and exit") var once: Bool
        @Flag(name: "reschedule", help: "Set every open order's timers from its state (after an upgrade or a bulk load), then exit") var reschedule: Bool
    }

    var help: String { "Run the background worker: clocks (reminders, escalation, alerts) and the outbox" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let worker = Worker.standard(app)
        let clock = ContinuousClock()
        func seconds(since start: ContinuousClock.Instant) -> String {
            let d = clock.now - start
            return String(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
        }
        if signature.reschedule {
            let start = clock.now
            let shown = NIOLockedValueBox(0)
            let console = context.console
            let t = try await worker.sweep(now: app.hotline.now) { n in
                if shown.withLockedValue({ let due = n / 10_000 > $0 / 10_000; if due { $0 = n }; return due }) { console.print("\(n) open orders looked at") }
            }
            // The benchmark (bench/sweep.py) reads these lines.
            context.console.print("timers set for \(t.orders) open orders in \(seconds(since: start)) s (\(t.mended) mended)")
            context.console.print("read \(t.read), compute \(t.compute), write \(t.write)")
            return
        }
        let stop = NIOLockedValueBox(false)
        let signals = [SIGINT, SIGTERM].map { sig -> any DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig)
            source.setEventHandler { stop.withLockedValue { $0 = true } }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        repeat {
            let start = clock.now
            let r = try await worker.round(now: app.hotline.now)
            if signature.once || r != Worker.Round() {
                context.console.print("worker: \(r.taken) timers taken, \(r.obsolete) obsolete, \(r.sent) sent, \(r.failed) failed in \(seconds(since: start)) s")
            }
            if signature.once { break }
            try await Task.sleep(for: .milliseconds(Int(worker.options.interval * 1000)))
        } while !stop.withLockedValue({ $0 })
    }
}
