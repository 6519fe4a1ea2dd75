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
        if signature.reschedule {
            let n = try await worker.reschedule(now: app.hotline.now) { n in context.console.print("\(n) open orders rescheduled") }
            context.console.print("timers set for \(n) open orders")
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
            let r = try await worker.round(now: app.hotline.now)
            if signature.once || r != Worker.Round() {
                context.console.print("worker: \(r.taken) timers taken, \(r.obsolete) obsolete, \(r.sent) sent, \(r.failed) failed")
            }
            if signature.once { break }
            try await Task.sleep(for: .milliseconds(Int(worker.options.interval * 1000)))
        } while !stop.withLockedValue({ $0 })
    }
}
