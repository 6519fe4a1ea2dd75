import Fluent
import HotlineCore
import Vapor

/// `/api/v1/calendar`: the working calendar (R-TIME-1): a year's off days and adjusted working
/// days, deadline arithmetic, and the admin import of a new year's State Council notice.
struct CalendarController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let c = routes.grouped("calendar")
        c.get("years", ":year", use: year)
        c.put("years", ":year", use: importYear)
        c.get("deadline", use: deadline)
    }

    struct YearDTO: Content {
        struct Day: Content { var date: LocalDate; var name: String; var weekday: Int }
        var year: Int
        var hasData: Bool
        var warning: String?
        var workingDays: Int
        var offDays: [Day]
        var adjustedWorkingDays: [Day]
    }

    static func describe(_ cal: WorkingCalendar, year: Int) -> YearDTO {
        var off: [YearDTO.Day] = []
        var adjusted: [YearDTO.Day] = []
        var working = 0
        var d = LocalDate(year: year, month: 1, day: 1)
        while d.year == year {
            if cal.isWorkingDay(d) { working += 1 }
            if let e = cal.entry(on: d) {
                if e.isOffDay { off.append(.init(date: d, name: e.name, weekday: d.isoWeekday)) } else if d.isWeekend {
                    adjusted.append(.init(date: d, name: e.name, weekday: d.isoWeekday))
                }
            }
            d = d.adding(days: 1)
        }
        let has = cal.hasData(for: year)
        return YearDTO(year: year, hasData: has, warning: has ? nil : "no State Council holiday data for \(year): Monday–Friday are counted as working days", workingDays: working, offDays: off, adjustedWorkingDays: adjusted)
    }

    @Sendable func year(req: Request) async throws -> YearDTO {
        _ = try req.principal()
        let y = try req.parameters.require("year", as: Int.self)
        guard (2000...2100).contains(y) else { throw APIProblem.invalid("year", "year must be 2000…2100") }
        return Self.describe(try await req.hotline.calendars.calendar(on: req.database, now: req.now), year: y)
    }

    /// Imports a holiday-cn year file (the State Council notice) for a year; replaces an
    /// earlier import or the bundled file for that year.
    @Sendable func importYear(req: Request) async throws -> YearDTO {
        let p = try req.principal(.admin)
        let y = try req.parameters.require("year", as: Int.self)
        guard let body = req.body.data else { throw APIProblem.invalid("body", "send the year file as the JSON body") }
        let data = Data(buffer: body)
        let notice: HolidayNotice
        do { notice = try HolidayNotice.decode(data) } catch { throw APIProblem.invalid("body", error.description, code: "bad_calendar_file") }
        guard notice.year == y else { throw APIProblem.invalid("year", "the file is for \(notice.year), not \(y)") }
        let content = String(decoding: data, as: UTF8.self), by = p.accountId, now = req.now
        try await req.hotline.write(on: req.database) { db in try await CalendarImport.store(notice, content: content, by: by, at: now, on: db) }
        let cal = try await req.hotline.calendars.reload(on: req.database, now: req.now)
        return Self.describe(cal, year: y)
    }

    struct DeadlineQuery: Content {
        var from: String
        var workingDays: Int?
        var workingHours: Int?
        var naturalDays: Int?
        var naturalHours: Int?
    }

    struct DeadlineDTO: Content { var from: Date; var limit: TimeLimit; var dueAt: Date; var warnAt: Date; var warnings: [String] }

    @Sendable func deadline(req: Request) async throws -> DeadlineDTO {
        _ = try req.principal()
        let q = try req.query.decode(DeadlineQuery.self)
        guard let from = Date(iso: q.from) else { throw APIProblem.invalid("from", "from must be an ISO-8601 time such as 2025-09-30T10:00:00+08:00") }
        let given = [q.workingDays.map { TimeLimit.workingDays($0) }, q.workingHours.map { .workingHours($0) }, q.naturalDays.map { .naturalDays($0) }, q.naturalHours.map { .naturalHours($0) }].compactMap { $0 }
        guard given.count == 1, let limit = given.first else {
            throw APIProblem.invalid("workingDays", "give exactly one of workingDays, workingHours, naturalDays, naturalHours")
        }
        guard (0...3650).contains(limit.amount) else { throw APIProblem.invalid(limit.unit.rawValue, "must be 0…3650") }
        let cal = try await req.hotline.calendars.calendar(on: req.database, now: req.now)
        let policy = try await RulesLoader(db: req.database, services: req.hotline).policy()
        let d = cal.deadline(from: from, limit: limit, margin: policy.warningMargin)
        return DeadlineDTO(from: from, limit: limit, dueAt: d.dueAt, warnAt: d.warnAt, warnings: d.warnings)
    }
}

enum CalendarImport {
    static func store(_ notice: HolidayNotice, content: String, by account: UUID?, at now: Date, on db: any Database) async throws {
        let row = try await CalendarNoticeModel.find(notice.year, on: db) ?? CalendarNoticeModel()
        row.id = notice.year
        row.content = content
        row.importedAt = now
        row.importedBy = account
        try await row.save(on: db)
    }
}
