import Foundation

/// One year file of the State Council holiday calendar, in the holiday-cn format
/// (`{"year": 2026, "papers": [...], "days": [{"name","date","isOffDay"}]}`).
///
/// A file is keyed by the year in the notice title, so late-December dates can sit in the
/// next year's file (2023.json holds 2022-12-31); callers load all files together.
public struct HolidayNotice: Codable, Sendable, Equatable {
    public struct Day: Codable, Sendable, Equatable {
        public var name: String
        public var date: LocalDate
        /// true = day off (放假); false = adjusted working day (调休上班).
        public var isOffDay: Bool

        public init(name: String, date: LocalDate, isOffDay: Bool) {
            self.name = name
            self.date = date
            self.isOffDay = isOffDay
        }
    }

    public var year: Int
    public var papers: [String]
    public var days: [Day]

    public init(year: Int, papers: [String] = [], days: [Day]) {
        self.year = year
        self.papers = papers
        self.days = days
    }

    /// Decodes a year file, checking what a careless import would get wrong.
    public static func decode(_ data: Data) throws(CalendarImportError) -> HolidayNotice {
        let notice: HolidayNotice
        do {
            notice = try JSONDecoder().decode(HolidayNotice.self, from: data)
        } catch {
            throw .malformed(String(describing: error))
        }
        guard (2000...2100).contains(notice.year) else { throw .yearOutOfRange(notice.year) }
        guard !notice.days.isEmpty else { throw .noDays(notice.year) }
        for day in notice.days where abs(day.date.year - notice.year) > 1 {
            // A notice only ever reaches into the neighbouring year (late December).
            throw .dateOutsideNotice(day.date, notice.year)
        }
        var seen = Set<LocalDate>()
        for day in notice.days where !seen.insert(day.date).inserted {
            throw .duplicateDate(day.date)
        }
        return notice
    }
}

public enum CalendarImportError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case yearOutOfRange(Int)
    case noDays(Int)
    case dateOutsideNotice(LocalDate, Int)
    case duplicateDate(LocalDate)

    public var description: String {
        switch self {
        case .malformed(let why): "not a holiday-cn year file: \(why)"
        case .yearOutOfRange(let y): "year \(y) is outside 2000–2100"
        case .noDays(let y): "the file for \(y) lists no days; an unpublished year cannot be imported"
        case .dateOutsideNotice(let d, let y): "date \(d) is too far from the notice year \(y)"
        case .duplicateDate(let d): "date \(d) is listed twice"
        }
    }
}
