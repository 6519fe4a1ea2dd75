import Foundation

/// The working calendar (R-TIME-1, R-TIME-5): State Council holidays and adjusted working days
/// (调休), office hours, and deadline arithmetic in working days, working hours and natural time.
///
/// Local time is Asia/Shanghai, which has had a fixed UTC+8 offset without daylight saving
/// since 1991, so a constant offset is exact and keeps the arithmetic allocation-free.
public struct WorkingCalendar: Sendable {
    public struct Entry: Sendable, Equatable {
        public var isOffDay: Bool
        public var name: String
    }

    /// Days named in a notice, by day number; everything else is Monday–Friday.
    public private(set) var entries: [Int: Entry]
    /// Notice years loaded (a file's `year`, which may also cover late December of the year before).
    public private(set) var coveredYears: Set<Int>
    public var officeHours: OfficeHours
    public var utcOffsetSeconds: Int

    public init(notices: [HolidayNotice], officeHours: OfficeHours = .standard, utcOffsetSeconds: Int = 8 * 3600) {
        self.entries = [:]
        self.coveredYears = []
        self.officeHours = officeHours
        self.utcOffsetSeconds = utcOffsetSeconds
        for notice in notices.sorted(by: { $0.year < $1.year }) { apply(notice) }
    }

    /// Adds or replaces one year's notice (an admin import of a new year).
    public mutating func apply(_ notice: HolidayNotice) {
        coveredYears.insert(notice.year)
        for day in notice.days {
            entries[day.date.dayNumber] = Entry(isOffDay: day.isOffDay, name: day.name)
        }
    }

    // MARK: Days

    public func isWorkingDay(_ date: LocalDate) -> Bool {
        if let entry = entries[date.dayNumber] { return !entry.isOffDay }
        return !date.isWeekend
    }

    public func entry(on date: LocalDate) -> Entry? { entries[date.dayNumber] }

    /// R-TIME-1: a year without a notice falls back to Monday–Friday, and says so.
    public func hasData(for year: Int) -> Bool { coveredYears.contains(year) }

    public func warning(forYearsFrom start: LocalDate, to end: LocalDate) -> [String] {
        (start.year...max(start.year, end.year)).filter { !hasData(for: $0) }.map {
            "no State Council holiday data for \($0): counted Monday–Friday as working days"
        }
    }

    public func localDate(of instant: Date) -> LocalDate {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + utcOffsetSeconds
        return LocalDate(dayNumber: Int((Double(seconds) / 86_400).rounded(.down)))
    }

    /// Seconds since local midnight.
    public func secondOfDay(_ instant: Date) -> Int {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + utcOffsetSeconds
        return ((seconds % 86_400) + 86_400) % 86_400
    }

    public func startOfDay(_ date: LocalDate) -> Date {
        Date(timeIntervalSince1970: TimeInterval(date.dayNumber * 86_400 - utcOffsetSeconds))
    }

    /// 23:59:59 local on that day: deadlines in days end at the last second of the day.
    public func endOfDay(_ date: LocalDate) -> Date {
        startOfDay(date).addingTimeInterval(86_399)
    }

    /// The Nth working day strictly after `date` (期限开始的当日不计算在期限内).
    public func workingDay(_ n: Int, after date: LocalDate) -> LocalDate {
        var day = date
        var left = n
        while left > 0 {
            day = day.adding(days: 1)
            if isWorkingDay(day) { left -= 1 }
        }
        return day
    }

    /// The Nth working day strictly before `date`.
    public func workingDay(_ n: Int, before date: LocalDate) -> LocalDate {
        var day = date
        var left = n
        while left > 0 {
            day = day.adding(days: -1)
            if isWorkingDay(day) { left -= 1 }
        }
        return day
    }

    /// Working days d with from < d <= to.
    public func workingDays(after from: LocalDate, through to: LocalDate) -> Int {
        guard to > from else { return 0 }
        var count = 0
        var day = from.adding(days: 1)
        while day <= to {
            if isWorkingDay(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }

    // MARK: Deadlines

    /// The moment a limit runs out when it starts at `start` (R-TIME-5).
    public func deadline(from start: Date, limit: TimeLimit) -> Date {
        switch limit.unit {
        case .workingDays:
            return endOfDay(workingDay(max(0, limit.amount), after: localDate(of: start)))
        case .naturalDays:
            return endOfDay(localDate(of: start).adding(days: max(0, limit.amount)))
        case .naturalHours:
            return start.addingTimeInterval(TimeInterval(max(0, limit.amount) * 3600))
        case .workingHours:
            return addingOfficeSeconds(max(0, limit.amount) * 3600, to: start)
        }
    }

    /// The deadline with its yellow-light start and any missing-year warnings.
    public func deadline(from start: Date, limit: TimeLimit, margin: WarningMargin) -> Deadline {
        let due = deadline(from: start, limit: limit)
        return Deadline(
            dueAt: due,
            warnAt: warnAt(start: start, dueAt: due, margin: margin),
            warnings: warning(forYearsFrom: localDate(of: start), to: localDate(of: due)))
    }

    /// Where yellow begins. With a working-day margin: the start of the Nth-last working day
    /// up to the deadline's day. When that would be at or before the start (same-day and hour
    /// limits), the last 20% of the limit is used instead, so a light is never born yellow.
    public func warnAt(start: Date, dueAt: Date, margin: WarningMargin) -> Date {
        func fraction(_ f: Double) -> Date {
            let span = dueAt.timeIntervalSince(start)
            return start.addingTimeInterval(span * (1 - f))
        }
        switch margin {
        case .fraction(let f):
            return fraction(f)
        case .workingDays(let n):
            guard n > 0 else { return dueAt }
            let dueDay = localDate(of: dueAt)
            let lastDay = isWorkingDay(dueDay) ? dueDay : workingDay(1, before: dueDay)
            let from = startOfDay(n == 1 ? lastDay : workingDay(n - 1, before: lastDay))
            return from > start ? from : fraction(0.2)
        }
    }

    /// Moves a deadline later by the time a paused clock stood still (R-TIME-3).
    /// Day limits move by the working (or natural) days the pause reached into; hour limits by
    /// the office (or elapsed) seconds it lasted.
    public func extend(deadline: Date, unit: TimeLimitUnit, pausedAt: Date, resumedAt: Date) -> Date {
        guard resumedAt > pausedAt else { return deadline }
        switch unit {
        case .workingDays:
            let days = workingDays(after: localDate(of: pausedAt), through: localDate(of: resumedAt))
            return days == 0 ? deadline : endOfDay(workingDay(days, after: localDate(of: deadline)))
        case .naturalDays:
            let days = localDate(of: resumedAt).dayNumber - localDate(of: pausedAt).dayNumber
            return endOfDay(localDate(of: deadline).adding(days: days))
        case .naturalHours:
            return deadline.addingTimeInterval(resumedAt.timeIntervalSince(pausedAt))
        case .workingHours:
            return addingOfficeSeconds(officeSeconds(from: pausedAt, to: resumedAt), to: deadline)
        }
    }

    /// Adds an approved extension to a deadline: counted from the old deadline, in the
    /// limit's own unit (R-UH-6).
    public func extending(_ deadline: Date, by limit: TimeLimit) -> Date {
        self.deadline(from: deadline, limit: limit)
    }

    // MARK: Office hours

    /// Office seconds between two moments, counting working days only.
    public func officeSeconds(from: Date, to: Date) -> Int {
        guard to > from else { return 0 }
        var total = 0
        var day = localDate(of: from)
        let lastDay = localDate(of: to)
        while day <= lastDay {
            if isWorkingDay(day) {
                let dayStart = startOfDay(day)
                for p in officeHours.periods {
                    let a = max(from, dayStart.addingTimeInterval(TimeInterval(p.startMinute * 60)))
                    let b = min(to, dayStart.addingTimeInterval(TimeInterval(p.endMinute * 60)))
                    if b > a { total += Int(b.timeIntervalSince(a)) }
                }
            }
            day = day.adding(days: 1)
        }
        return total
    }

    /// The moment `seconds` of office time after `start`; starts outside office hours begin
    /// counting at the next office period.
    public func addingOfficeSeconds(_ seconds: Int, to start: Date) -> Date {
        guard seconds > 0, officeHours.secondsPerDay > 0 else { return start }
        var left = seconds
        var day = localDate(of: start)
        var from = start
        while true {
            if isWorkingDay(day) {
                let dayStart = startOfDay(day)
                for p in officeHours.periods {
                    let a = max(from, dayStart.addingTimeInterval(TimeInterval(p.startMinute * 60)))
                    let b = dayStart.addingTimeInterval(TimeInterval(p.endMinute * 60))
                    guard b > a else { continue }
                    let available = Int(b.timeIntervalSince(a))
                    if available >= left { return a.addingTimeInterval(TimeInterval(left)) }
                    left -= available
                }
            }
            day = day.adding(days: 1)
            from = startOfDay(day)
        }
    }
}
