import HotlineCore
import Vapor

/// The reminder figures of unit assessment in the console (催办统计, [clocks] item 5): each
/// unit's assignments, the share reminded, and the reminders by people and by the clocks.
struct ConsoleAssessmentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("assessment", use: page)
    }

    struct Line: Encodable {
        var unitName: String
        var dispatched: Int
        var reminded: Int
        var rate: String
        var reminders: Int
        var automatic: Int
        var manual: Int
    }

    struct View: Encodable {
        var from: String
        var to: String
        var lines: [Line]
    }

    @Sendable func page(req: Request) async throws -> Response {
        _ = try req.principal(.analyst, .leader, .supervisor, .admin)
        let period = try AssessmentController.period(try req.query.decode(AssessmentController.PeriodQuery.self), now: req.now)
        let figures = try await AssessmentController.figures(period, on: req.database)
        let lines = figures.filter { $0.dispatched > 0 || $0.reminders > 0 }.map { f in
            Line(
                unitName: f.unitName, dispatched: f.dispatched, reminded: f.reminded,
                rate: f.reminderRate.map { String(format: "%.1f%%", $0 * 100) } ?? "—", reminders: f.reminders,
                automatic: f.automaticReminders, manual: f.manualReminders)
        }
        return try await req.renderConsole("assessment", title: req.label("assessment"), View(from: period.from.description, to: period.to.description, lines: lines))
    }
}
