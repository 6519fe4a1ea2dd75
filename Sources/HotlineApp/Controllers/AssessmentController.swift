import Fluent
import HotlineCore
import SQLKit
import Vapor

/// `/api/v1/assessment/reminders`: each unit's reminders over a period, the reminder part of
/// unit assessment (R-STAT-3, [clocks] item 5). The rest of R-STAT-3's figures belong to the
/// statistics work.
struct AssessmentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("assessment", "reminders", use: reminders)
    }

    struct PeriodQuery: Content {
        /// First and last day, Beijing dates, inclusive; default this month so far.
        var from: String?
        var to: String?
    }

    struct UnitRemindersDTO: Content {
        var unitId: UUID
        var unitName: String
        var dispatched: Int
        var reminded: Int
        var reminderRate: Double?
        var reminders: Int
        var automaticReminders: Int
        var manualReminders: Int

        init(_ f: UnitReminderFigures) {
            unitId = f.unitId
            unitName = f.unitName
            dispatched = f.dispatched
            reminded = f.reminded
            reminderRate = f.reminderRate
            reminders = f.reminders
            automaticReminders = f.automaticReminders
            manualReminders = f.manualReminders
        }
    }

    struct Period: Sendable {
        var from: LocalDate
        var to: LocalDate
        var start: Date { Date(iso: "\(from)T00:00:00+08:00")! }
        var end: Date { Date(iso: "\(to.adding(days: 1))T00:00:00+08:00")! }
    }

    static let roles: [Role] = [.analyst, .leader, .supervisor, .admin]

    @Sendable func reminders(req: Request) async throws -> [UnitRemindersDTO] {
        _ = try req.principal(.analyst, .leader, .supervisor, .admin)
        let period = try Self.period(try req.query.decode(PeriodQuery.self), now: req.now)
        return try await Self.figures(period, on: req.database).map(UnitRemindersDTO.init)
    }

    static func period(_ q: PeriodQuery, now: Date) throws -> Period {
        let today = LocalDate(iso: String(now.isoLocal.prefix(10)))!
        let c = today.components
        func day(_ text: String?, _ field: String, _ fallback: LocalDate) throws -> LocalDate {
            guard let text = text?.trimmed, !text.isEmpty else { return fallback }
            guard let d = LocalDate(iso: text) else { throw APIProblem.invalid(field, "\(field) must be a date as YYYY-MM-DD") }
            return d
        }
        let from = try day(q.from, "from", LocalDate(year: c.year, month: c.month, day: 1))
        let to = try day(q.to, "to", today)
        guard from <= to else { throw APIProblem.invalid("to", "to must not be before from") }
        guard to.dayNumber - from.dayNumber <= 366 else { throw APIProblem.invalid("to", "a period is at most 366 days") }
        return Period(from: from, to: to)
    }

    /// Two grouped queries over the period: assignments dispatched (and how many of them were
    /// reminded), and reminders given (by whom). Every active unit is listed, with zeros.
    static func figures(_ p: Period, on db: any Database) async throws -> [UnitReminderFigures] {
        let sql = db as! any SQLDatabase
        async let dispatchedRows = sql.raw("""
            SELECT unit_id, COUNT(*) AS dispatched, SUM(CASE WHEN reminder_count > 0 THEN 1 ELSE 0 END) AS reminded
            FROM assignments WHERE dispatched_at >= \(bind: p.start) AND dispatched_at < \(bind: p.end) GROUP BY unit_id
            """).all()
        async let reminderRows = sql.raw("""
            SELECT a.unit_id, COUNT(*) AS reminders, SUM(CASE WHEN r.automatic THEN 1 ELSE 0 END) AS automatic
            FROM reminders r JOIN assignments a ON a.id = r.assignment_id
            WHERE r.at >= \(bind: p.start) AND r.at < \(bind: p.end) GROUP BY a.unit_id
            """).all()
        async let unitRows = sql.raw("SELECT id, name FROM units WHERE level > 1 AND active = \(bind: true)").all()
        var dispatched: [UUID: (Int, Int)] = [:]
        for r in try await dispatchedRows {
            dispatched[try r.decode(column: "unit_id", as: UUID.self)] = (try r.decode(column: "dispatched", as: Int.self), try r.decode(column: "reminded", as: Int?.self) ?? 0)
        }
        var reminders: [UUID: (Int, Int)] = [:]
        for r in try await reminderRows {
            reminders[try r.decode(column: "unit_id", as: UUID.self)] = (try r.decode(column: "reminders", as: Int.self), try r.decode(column: "automatic", as: Int?.self) ?? 0)
        }
        let figures = try await unitRows.map { row in
            let id = try row.decode(column: "id", as: UUID.self)
            let d = dispatched[id] ?? (0, 0)
            let r = reminders[id] ?? (0, 0)
            return UnitReminderFigures(unitId: id, unitName: try row.decode(column: "name", as: String.self), dispatched: d.0, reminded: d.1, reminders: r.0, automaticReminders: r.1)
        }
        return UnitReminderFigures.ranked(figures)
    }
}
