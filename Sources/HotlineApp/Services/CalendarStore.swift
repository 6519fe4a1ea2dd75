import Fluent
import HotlineCore
import Vapor

/// The working calendar in use: the bundled State Council years plus any imported on this
/// deployment. Imports take effect here at once, and on other app instances within a minute.
actor CalendarStore {
    private let officeHours: OfficeHours
    private var cached: WorkingCalendar?
    private var loadedAt: Date = .distantPast
    private let bundled: [HolidayNotice]

    init(officeHours: OfficeHours) {
        self.officeHours = officeHours
        self.bundled = HolidayNotice.bundled()
    }

    func calendar(on db: any Database, now: Date) async throws -> WorkingCalendar {
        if let c = cached, now.timeIntervalSince(loadedAt) < 60, now >= loadedAt { return c }
        return try await reload(on: db, now: now)
    }

    @discardableResult
    func reload(on db: any Database, now: Date) async throws -> WorkingCalendar {
        var notices = Dictionary(bundled.map { ($0.year, $0) }, uniquingKeysWith: { a, _ in a })
        for row in try await CalendarNoticeModel.query(on: db).all() {
            if let n = try? HolidayNotice.decode(Data(row.content.utf8)) { notices[n.year] = n }
        }
        let c = WorkingCalendar(notices: Array(notices.values), officeHours: officeHours)
        cached = c
        loadedAt = now
        return c
    }
}
