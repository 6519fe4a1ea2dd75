import Fluent
import Vapor

/// `hotline seed --demo`: a believable small city (see docs/demo.md).
struct SeedCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "demo", help: "seed the demo city: ~40 units, an account for every role, a few hundred orders") var demo: Bool
    }

    var help: String { "Fill the database: seed --demo" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.demo else { throw Abort(.badRequest, reason: "say what to seed: --demo") }
        let seeded = try await DemoCity.seedIfEmpty(context.application)
        context.console.print(seeded ? "demo city seeded" : "the database already holds units or orders; nothing seeded")
    }
}
