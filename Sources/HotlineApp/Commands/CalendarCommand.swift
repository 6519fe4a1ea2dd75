import Fluent
import HotlineCore
import Vapor

/// `hotline calendar deadline --from T --working-days N` (or --working-hours / --natural-days /
/// --natural-hours), `hotline calendar show YEAR`, `hotline calendar import FILE`.
struct CalendarCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["deadline": Deadline(), "show": Show(), "import": Import()]
    var help: String { "Working calendar: deadline, show YEAR, import FILE" }

    /// Works before migration too: then only the bundled years are used.
    static func calendar(_ app: Application) async -> WorkingCalendar {
        (try? await app.hotline.calendars.calendar(on: app.db, now: Date())) ?? WorkingCalendar(notices: HolidayNotice.bundled(), officeHours: app.hotline.settings.officeHours)
    }

    struct Deadline: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "from", help: "ISO-8601 start, e.g. 2025-09-30T10:00:00+08:00") var from: String?
            @Option(name: "working-days") var workingDays: Int?
            @Option(name: "working-hours") var workingHours: Int?
            @Option(name: "natural-days") var naturalDays: Int?
            @Option(name: "natural-hours") var naturalHours: Int?
        }

        var help: String { "Print the deadline of a limit counted from a moment (R-TIME-5)" }

        func run(using context: CommandContext, signature: Signature) async throws {
            guard let text = signature.from, let from = Date(iso: text) ?? Date(iso: text + "+08:00") else {
                throw Abort(.badRequest, reason: "--from needs an ISO-8601 time such as 2025-09-30T10:00:00+08:00")
            }
            let limits = [signature.workingDays.map { TimeLimit.workingDays($0) }, signature.workingHours.map { .workingHours($0) }, signature.naturalDays.map { .naturalDays($0) }, signature.naturalHours.map { .naturalHours($0) }].compactMap { $0 }
            guard limits.count == 1, let limit = limits.first, limit.amount >= 0 else {
                throw Abort(.badRequest, reason: "give exactly one of --working-days, --working-hours, --natural-days, --natural-hours")
            }
            let d = await CalendarCommand.calendar(context.application).deadline(from: from, limit: limit, margin: .workingDays(1))
            for w in d.warnings { context.console.warning("warning: \(w)") }
            context.console.print(d.dueAt.isoLocal)
        }
    }

    struct Show: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "year") var year: Int
        }

        var help: String { "Print a year's off days and adjusted working days" }

        func run(using context: CommandContext, signature: Signature) async throws {
            let y = signature.year
            guard (2000...2100).contains(y) else { throw Abort(.badRequest, reason: "year must be 2000…2100") }
            let year = CalendarController.describe(await CalendarCommand.calendar(context.application), year: y)
            if let w = year.warning { context.console.warning("warning: \(w)") }
            let weekdays = ["", "一", "二", "三", "四", "五", "六", "日"]
            context.console.print("\(y) 年: \(year.workingDays) 个工作日 (working days)")
            context.console.print("放假 (off days):")
            for d in year.offDays { context.console.print("  \(d.date) 周\(weekdays[d.weekday]) \(d.name)") }
            context.console.print("调休上班 (adjusted working days):")
            for d in year.adjustedWorkingDays { context.console.print("  \(d.date) 周\(weekdays[d.weekday]) \(d.name)") }
        }
    }

    struct Import: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "file") var file: String
        }

        var help: String { "Import a holiday-cn year file (a new State Council notice)" }

        func run(using context: CommandContext, signature: Signature) async throws {
            guard let data = FileManager.default.contents(atPath: signature.file) else {
                throw Abort(.badRequest, reason: "cannot read \(signature.file)")
            }
            let notice = try HolidayNotice.decode(data)
            try await CalendarImport.store(notice, content: String(decoding: data, as: UTF8.self), by: nil, at: Date(), on: context.application.db)
            context.console.print("imported \(notice.year): \(notice.days.count) days")
        }
    }
}
