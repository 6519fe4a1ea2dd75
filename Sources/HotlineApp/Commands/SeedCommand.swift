import Fluent
import Vapor

/// `hotline seed --demo`: a believable small city (see docs/demo.md).
/// `hotline seed --synthetic N --days D`: a city-scale load for the benchmark (docs/PERFORMANCE.md).
struct SeedCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "demo", help: "seed the demo city: ~40 units, an account for every role, a few hundred orders") var demo: Bool
        @Option(name: "synthetic", help: "seed a synthetic city with this many orders") var synthetic: Int?
        @Option(name: "days", help: "spread the synthetic orders over this many days before now (default 365)") var days: Int?
        @Option(name: "seed", help: "random seed of the synthetic city (default 20251001)") var seed: UInt64?
    }

    var help: String { "Fill the database: seed --demo, or seed --synthetic N [--days D]" }

    func run(using context: CommandContext, signature: Signature) async throws {
        if let n = signature.synthetic {
            var options = SyntheticCity.Options(orders: n, days: signature.days ?? 365)
            if let s = signature.seed { options.seed = s }
            let console = context.console
            let report = try await SyntheticCity.run(context.application, options: options) { line in console.print(line) }
            let statuses = report.byStatus.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            console.print("synthetic city: \(report.units) units, \(report.accounts) accounts, \(report.orders) orders, \(report.assignments) assignments, \(report.events) events in \(String(format: "%.1f", report.seconds)) s (\(Int(Double(report.orders) / max(report.seconds, 0.001))) orders/s)")
            console.print("by status: \(statuses)")
            return
        }
        guard signature.demo else { throw Abort(.badRequest, reason: "say what to seed: --demo, or --synthetic N [--days D]") }
        let seeded = try await DemoCity.seedIfEmpty(context.application)
        context.console.print(seeded ? "demo city seeded" : "the database already holds units or orders; nothing seeded")
    }
}
