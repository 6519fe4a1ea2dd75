import Foundation
import Testing

@testable import HotlineCore

@Suite("Notices and the dispatch catalogue by place (R-IN-5, R-UNIT-4)")
struct PlaceRulesTests {
    @Test("A district's notice covers its streets; a street's shows for its district; one without a place everywhere")
    func noticeCoverage() {
        #expect(NoticeRules.covers(noticeDivision: "110105", place: "110105001"))
        #expect(NoticeRules.covers(noticeDivision: "110105001", place: "110105"))
        #expect(!NoticeRules.covers(noticeDivision: "110105001", place: "110105002"), "a neighbouring street is not covered")
        #expect(!NoticeRules.covers(noticeDivision: "110105", place: "110108001"))
        #expect(NoticeRules.covers(noticeDivision: nil, place: "110108001"))
        #expect(NoticeRules.covers(noticeDivision: "110105", place: nil) && NoticeRules.covers(noticeDivision: "110105", place: ""))
    }

    @Test("In force between its start and end; with upcoming, also before it starts; never after it ends")
    func noticeWindow() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let hour: TimeInterval = 3600
        #expect(NoticeRules.isShown(startsAt: now - hour, endsAt: now + hour, at: now, upcoming: false))
        #expect(!NoticeRules.isShown(startsAt: now + hour, endsAt: now + 2 * hour, at: now, upcoming: false))
        #expect(NoticeRules.isShown(startsAt: now + hour, endsAt: now + 2 * hour, at: now, upcoming: true))
        #expect(!NoticeRules.isShown(startsAt: now - 2 * hour, endsAt: now, at: now, upcoming: true), "ended at this moment")
    }

    @Test("The most specific category wins, then the most specific area; each unit once; other categories and places left out")
    func catalogueRanking() {
        let (water, district, street, city) = (UUID(), UUID(), UUID(), UUID())
        let entries = [
            DispatchCatalogue.Entry(categoryPrefix: "01", divisionPrefix: nil, unitId: city),
            DispatchCatalogue.Entry(categoryPrefix: "0101", divisionPrefix: "110105", unitId: district),
            DispatchCatalogue.Entry(categoryPrefix: "0101", divisionPrefix: "110105001", unitId: street),
            DispatchCatalogue.Entry(categoryPrefix: "010101", divisionPrefix: nil, unitId: water),
            DispatchCatalogue.Entry(categoryPrefix: "01", divisionPrefix: "110105", unitId: water),
            DispatchCatalogue.Entry(categoryPrefix: "02", divisionPrefix: nil, unitId: UUID()),
            DispatchCatalogue.Entry(categoryPrefix: "0101", divisionPrefix: "110108", unitId: UUID()),
        ]
        #expect(DispatchCatalogue.units(for: "010101", division: "110105001", in: entries) == [water, street, district, city])
        #expect(DispatchCatalogue.units(for: "010102", division: "110105", in: entries) == [district, water, city])
        #expect(DispatchCatalogue.units(for: "010102", division: nil, in: entries) == [city], "without a place only city-wide entries apply")
        #expect(DispatchCatalogue.units(for: "0301", division: "110105", in: entries).isEmpty)
    }
}
