import Foundation
import Testing

@testable import HotlineCore

@Suite struct AssessmentTests {
    func unit(_ name: String, _ dispatched: Int, _ reminded: Int, _ reminders: Int, auto: Int = 0) -> UnitReminderFigures {
        UnitReminderFigures(unitId: UUID(), unitName: name, dispatched: dispatched, reminded: reminded, reminders: reminders, automaticReminders: auto)
    }

    @Test func theReminderRateIsTheShareOfAssignmentsRemindedAndNoneWithoutAssignments() {
        let u = unit("朝阳区", 40, 6, 9, auto: 7)
        #expect(u.reminderRate == 0.15)
        #expect(u.manualReminders == 2)
        #expect(unit("空", 0, 0, 3).reminderRate == nil)
    }

    @Test func theMostRemindedShareComesFirstAndUnitsWithoutAssignmentsLast() {
        let ranked = UnitReminderFigures.ranked([unit("甲", 10, 1, 1), unit("乙", 0, 0, 2), unit("丙", 10, 5, 6), unit("丁", 20, 2, 4)])
        #expect(ranked.map(\.unitName) == ["丙", "丁", "甲", "乙"])
    }
}
