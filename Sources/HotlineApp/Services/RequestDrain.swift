import NIOConcurrencyHelpers
import Vapor

/// Lets requests that are still running finish before the app closes its databases.
///
/// When a client hangs up mid-request, the server forgets the connection at once, but the
/// handler runs on to the end. On shutdown Vapor stops the server, which has nothing left to
/// wait for, and then closes Fluent's databases; a handler that then reached `req.db` trapped
/// (seen at the end of benchmark runs, docs/PERFORMANCE.md). The middleware counts handlers in
/// flight and the lifecycle handler waits, up to a bound, until none is left.
final class RequestDrain: AsyncMiddleware, LifecycleHandler {
    private let running = NIOLockedValueBox(0)
    let timeout: Duration

    init(timeout: Duration = .seconds(10)) { self.timeout = timeout }

    var inFlight: Int { running.withLockedValue { $0 } }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        running.withLockedValue { $0 += 1 }
        defer { running.withLockedValue { $0 -= 1 } }
        return try await next.respond(to: request)
    }

    func shutdownAsync(_ app: Application) async {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while inFlight > 0 && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if inFlight > 0 { app.logger.warning("shutting down with \(inFlight) requests still running") }
    }
}
