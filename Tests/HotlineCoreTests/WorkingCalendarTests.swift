import Foundation
import Testing
@testable import HotlineCore

@Suite("Working calendar (R-TIME-1, R-TIME-5)")
struct WorkingCalendarTests {
    let cal = Fixtures.calendar
    func day(_ s: String) -> LocalDate { LocalDate(iso: s)! }

    @Test("All eight bundled years load, including December days filed under the next year")
    func loadsAllYears() {
        #expect(cal.coveredYears == Set(2019...2026))
        // 2019.json holds 2018-12-29 (an adjusted working Saturday) and 2018-12-31 (off).
        #expect(cal.isWorkingDay(day("2018-12-29")))
        #expect(!cal.isWorkingDay(day("2018-12-31")))
        // 2023.json holds 2022-12-31.
        #expect(cal.entry(on: day("2022-12-31")) != nil)
    }

    @Test("Working-day counts per year match the State Council calendar")
    func workingDaysPerYear() {
        let expected = [2019: 250, 2020: 249, 2021: 250, 2022: 249, 2023: 249, 2024: 251, 2025: 248, 2026: 248]
        for (year, count) in expected {
            let n = cal.workingDays(after: LocalDate(year: year - 1, month: 12, day: 31), through: LocalDate(year: year, month: 12, day: 31))
            #expect(n == count, "year \(year)")
        }
    }

    @Test("R-TIME-5: 3 working days from Tue 2025-09-30 end on the adjusted working Saturday 2025-10-11")
    func nationalDay2025() {
        let due = cal.deadline(from: Fixtures.t("2025-09-30T10:00:00"), limit: .workingDays(3))
        #expect(due == Fixtures.t("2025-10-11T23:59:59"))
    }

    @Test("Sunday 2025-09-28 is an adjusted working day before National Day")
    func adjustedSunday() {
        #expect(cal.isWorkingDay(day("2025-09-28")))
        #expect(!cal.isWorkingDay(day("2025-10-08")))
        #expect(cal.deadline(from: Fixtures.t("2025-09-27T09:00:00"), limit: .workingDays(1)) == Fixtures.t("2025-09-28T23:59:59"))
    }

    @Test("Spring Festival 2026: Sat 02-14 works, 02-15…02-23 are off, Sat 02-28 works")
    func springFestival2026() {
        #expect(cal.isWorkingDay(day("2026-02-14")))
        for d in 15...23 { #expect(!cal.isWorkingDay(day(String(format: "2026-02-%02d", d)))) }
        #expect(cal.isWorkingDay(day("2026-02-28")))
        let from = Fixtures.t("2026-02-13T16:00:00")
        #expect(cal.deadline(from: from, limit: .workingDays(1)) == Fixtures.t("2026-02-14T23:59:59"))
        #expect(cal.deadline(from: from, limit: .workingDays(2)) == Fixtures.t("2026-02-24T23:59:59"))
        // 5 working days from Tue 02-24: 25, 26, 27, Sat 28, Mon 03-02.
        #expect(cal.deadline(from: Fixtures.t("2026-02-24T09:00:00"), limit: .workingDays(5)) == Fixtures.t("2026-03-02T23:59:59"))
    }

    @Test("2026 Mid-Autumn and National Day are separate, with Sun 09-20 and Sat 10-10 working")
    func autumn2026() {
        #expect(cal.isWorkingDay(day("2026-09-20")))
        #expect(!cal.isWorkingDay(day("2026-09-25")))
        #expect(!cal.isWorkingDay(day("2026-10-07")))
        #expect(cal.isWorkingDay(day("2026-10-10")))
        #expect(cal.deadline(from: Fixtures.t("2026-09-30T12:00:00"), limit: .workingDays(2)) == Fixtures.t("2026-10-09T23:59:59"))
    }

    @Test("The start day does not count, even when the order arrives just after midnight")
    func startDayExcluded() {
        #expect(cal.deadline(from: Fixtures.t("2026-11-23T00:00:01"), limit: .workingDays(1)) == Fixtures.t("2026-11-24T23:59:59"))
    }

    @Test("Natural days end at the end of the Nth day; 0 natural days is the same day (当天答复)")
    func naturalDays() {
        #expect(cal.deadline(from: Fixtures.t("2025-09-30T10:00:00"), limit: .naturalDays(3)) == Fixtures.t("2025-10-03T23:59:59"))
        #expect(cal.deadline(from: Fixtures.t("2025-09-30T10:00:00"), limit: .naturalDays(0)) == Fixtures.t("2025-09-30T23:59:59"))
        #expect(cal.deadline(from: Fixtures.t("2025-09-30T10:00:00"), limit: .naturalHours(2)) == Fixtures.t("2025-09-30T12:00:00"))
    }

    @Test("Working hours count only office hours of working days")
    func workingHours() {
        // Mon 10:00 + 8 h: 2 h to noon, 4 h afternoon, 2 h Tuesday morning.
        #expect(cal.deadline(from: Fixtures.t("2026-11-23T10:00:00"), limit: .workingHours(8)) == Fixtures.t("2026-11-24T11:00:00"))
        // Friday evening: counting starts Monday 09:00.
        #expect(cal.deadline(from: Fixtures.t("2026-11-20T19:00:00"), limit: .workingHours(2)) == Fixtures.t("2026-11-23T11:00:00"))
        // Before National Day 2025: Tue 09-30 16:30 + 3 h → 1 h that day, then Thu 10-09 09:00–11:00.
        #expect(cal.deadline(from: Fixtures.t("2025-09-30T16:30:00"), limit: .workingHours(3)) == Fixtures.t("2025-10-09T11:00:00"))
        #expect(cal.officeSeconds(from: Fixtures.t("2026-11-23T08:00:00"), to: Fixtures.t("2026-11-23T18:00:00")) == 7 * 3600)
    }

    @Test("Office hours are configurable")
    func customOfficeHours() {
        var c = cal
        c.officeHours = OfficeHours(parsing: "08:30-12:00,14:00-18:00")!
        #expect(c.officeHours.secondsPerDay == 7 * 3600 + 30 * 60)
        #expect(c.deadline(from: Fixtures.t("2026-11-23T08:00:00"), limit: .workingHours(4)) == Fixtures.t("2026-11-23T14:30:00"))
        #expect(OfficeHours(parsing: "12:00-09:00") == nil)
        #expect(OfficeHours(parsing: "09:00-12:00,11:00-13:00") == nil)
    }

    @Test("R-TIME-1: a year with no data falls back to Monday–Friday and says so")
    func missingYearFallsBack() {
        let d = cal.deadline(from: Fixtures.t("2027-01-29T10:00:00"), limit: .workingDays(1), margin: .workingDays(1))
        #expect(d.dueAt == Fixtures.t("2027-02-01T23:59:59"))  // Fri → Mon
        #expect(d.warnings.count == 1)
        #expect(d.warnings[0].contains("2027"))
        #expect(cal.deadline(from: Fixtures.t("2026-01-29T10:00:00"), limit: .workingDays(1), margin: .workingDays(1)).warnings.isEmpty)
    }

    @Test("An imported year replaces the fallback")
    func importYear() throws {
        var c = cal
        let json = #"{"year": 2027, "papers": [], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, {"name": "春节", "date": "2027-02-07", "isOffDay": false}]}"#
        c.apply(try HolidayNotice.decode(Data(json.utf8)))
        #expect(c.hasData(for: 2027))
        #expect(c.isWorkingDay(day("2027-02-07")))  // a Sunday made a working day
        #expect(!c.isWorkingDay(day("2027-01-01")))
    }

    @Test("Bad year files are refused with the reason")
    func badImports() {
        #expect(throws: CalendarImportError.noDays(2027)) { try HolidayNotice.decode(Data(#"{"year":2027,"papers":[],"days":[]}"#.utf8)) }
        #expect(throws: CalendarImportError.self) { try HolidayNotice.decode(Data("not json".utf8)) }
        #expect(throws: CalendarImportError.self) {
            try HolidayNotice.decode(Data(#"{"year":2027,"papers":[],"days":[{"name":"x","date":"2027-02-30","isOffDay":true}]}"#.utf8))
        }
    }

    @Test("R-TIME-4: green, then yellow on the last working day, red after the deadline")
    func lights() {
        let start = Fixtures.t("2026-11-23T10:00:00")  // Monday
        let d = cal.deadline(from: start, limit: .workingDays(5), margin: .workingDays(1))
        #expect(d.dueAt == Fixtures.t("2026-11-30T23:59:59"))
        #expect(d.warnAt == Fixtures.t("2026-11-30T00:00:00"))
        #expect(WarningLight.at(Fixtures.t("2026-11-27T12:00:00"), warnAt: d.warnAt, dueAt: d.dueAt) == .green)
        #expect(WarningLight.at(Fixtures.t("2026-11-30T08:00:00"), warnAt: d.warnAt, dueAt: d.dueAt) == .yellow)
        #expect(WarningLight.at(Fixtures.t("2026-12-01T00:00:00"), warnAt: d.warnAt, dueAt: d.dueAt) == .red)
        // A 20% margin on 10 days' span starts yellow 2 days before the end.
        let f = cal.deadline(from: start, limit: .naturalDays(10), margin: .fraction(0.2))
        #expect(abs(f.warnAt.timeIntervalSince(f.dueAt) + f.dueAt.timeIntervalSince(start) * 0.2) < 1)
        // A same-day limit is not born yellow: it falls back to the last 20%.
        let same = cal.deadline(from: start, limit: .naturalDays(0), margin: .workingDays(1))
        #expect(same.warnAt > start)
        #expect(WarningMargin(parsing: "20%") == .fraction(0.2))
        #expect(WarningMargin(parsing: "2wd") == .workingDays(2))
        #expect(WarningMargin(parsing: "x") == nil)
    }

    @Test("R-TIME-3: a paused clock moves the deadline by the working days the pause reached into")
    func pause() {
        let due = Fixtures.t("2026-11-30T23:59:59")
        // Paused Wed, resumed Fri: 2 working days (Thu, Fri) → due moves to Wed 12-02.
        let moved = cal.extend(deadline: due, unit: .workingDays, pausedAt: Fixtures.t("2026-11-25T10:00:00"), resumedAt: Fixtures.t("2026-11-27T10:00:00"))
        #expect(moved == Fixtures.t("2026-12-02T23:59:59"))
        // Same-day pause moves nothing at day granularity.
        #expect(cal.extend(deadline: due, unit: .workingDays, pausedAt: Fixtures.t("2026-11-25T10:00:00"), resumedAt: Fixtures.t("2026-11-25T15:00:00")) == due)
        let hours = cal.extend(deadline: Fixtures.t("2026-11-25T15:00:00"), unit: .workingHours, pausedAt: Fixtures.t("2026-11-24T10:00:00"), resumedAt: Fixtures.t("2026-11-24T11:00:00"))
        #expect(hours == Fixtures.t("2026-11-25T16:00:00"))
    }

    @Test("LocalDate round-trips and knows weekdays")
    func localDate() {
        #expect(LocalDate(iso: "2026-11-21")!.isoWeekday == 6)
        #expect(LocalDate(iso: "1970-01-01")!.dayNumber == 0)
        #expect(LocalDate(iso: "2024-02-29")!.description == "2024-02-29")
        #expect(LocalDate(iso: "2025-02-29") == nil)
        #expect(cal.localDate(of: Fixtures.t("2026-11-21T23:30:00")) == LocalDate(iso: "2026-11-21"))
        #expect(cal.localDate(of: Fixtures.t("2026-11-21T00:30:00")) == LocalDate(iso: "2026-11-21"))
    }
}
