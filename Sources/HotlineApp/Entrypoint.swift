import Fluent
import HotlineCore
import Logging
import NIOCore
import NIOPosix
import Vapor

/// The `hotline` executable's whole body. `hotline demo` is the README's first command: it
/// migrates, seeds the demo city if the database is empty, and serves.
public enum Entrypoint {
    /// While serving, NIO's event loops run Swift's async code too: otherwise every await on
    /// the database or the network hops between NIO's threads and Swift's pool, a thread
    /// switch each way. NIO requires the install on the main thread before any task reaches
    /// the global executor, so `main.swift` calls this first, synchronously. Only while
    /// serving: a task's children then stay on its event loop, and `seed` spreads its CPU
    /// work over the cores with child tasks (the PostgreSQL 1M seed used one core of two with
    /// it on). `HOTLINE_NIO_EXECUTOR=off` keeps Swift's own pool; it is read from the process
    /// environment, before Vapor loads any `.env` file.
    public static func installNIOExecutorIfServing(arguments: [String] = CommandLine.arguments) -> Bool {
        serves(arguments) && Settings.useNIOExecutor()
            && NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Whether the command line starts the HTTP server: `serve`, `demo`, or no command at all.
    static func serves(_ arguments: [String]) -> Bool {
        let command = arguments.dropFirst().first ?? "serve"
        return command == "serve" || command == "demo" || command.hasPrefix("-")
    }

    public static func main(nioExecutor: Bool = false) async throws {
        var env = try Environment.detect()
        try LoggingSystem.bootstrap(from: &env)
        var demo = false
        if env.arguments.count > 1 && env.arguments[1] == "demo" {
            demo = true
            env.arguments[1] = "serve"
        }
        let serving = serves(env.arguments)
        let app = try await Application.make(env)
        app.logger.debug("Swift's async code runs on \(nioExecutor ? "NIO's event loops" : "its own thread pool")")
        do {
            var settings = try Settings.fromEnvironment(workingDirectory: app.directory.workingDirectory.trimmingSuffix("/"))
            // The worker runs beside the HTTP server only; `hotline worker` runs it alone, and
            // one-off commands (seed, user, calendar) never start it.
            settings.worker = settings.worker && serving
            try await configure(app, settings: settings)
            if demo {
                try await app.autoMigrate()
                try await DemoCity.seedIfEmpty(app)
                app.logger.notice("demo city ready: open the console at http://127.0.0.1:8080/ and log in as agent, dispatcher, reviewer, callback, supervisor, leader or chaoyang-handler with password demo1234 (docs/demo.md)")
            }
            try await app.execute()
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

extension String {
    func trimmingSuffix(_ s: String) -> String { hasSuffix(s) ? String(dropLast(s.count)) : self }
}
