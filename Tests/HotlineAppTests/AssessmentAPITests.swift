import Foundation
import HotlineCore
import Testing
import Vapor
import VaporTesting

@testable import HotlineApp

@Suite("Unit assessment: each unit's reminders, by people and by the clocks ([clocks] item 5, R-STAT-3)")
struct AssessmentAPITests {
    @Test("Manual and automatic reminders count for the unit reminded, in the API and on the console page")
    func reminderCounts() async throws {
        try await withTestApp { app, w, setClock in
            // Three consultations (2 working days) dispatched and signed on Mon 2026-11-23: two
            // to Chaoyang, one to Haidian.
            var leads: [(order: String, lead: String)] = []
            for (unit, handler) in [(w.chaoyang, "cy-handler"), (w.chaoyang, "cy-handler"), (w.haidian, "hd-handler")] {
                let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody(type: "consultation")).json.string("id")!
                let lead = try await app.call(.POST, "/work-orders/\(id)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": unit.id!.uuidString]).json.assignments[0].string("id")!
                try await app.call(.POST, "/assignments/\(lead)/sign", as: handler, world: w)
                leads.append((id, lead))
            }
            let r = try await app.call(.POST, "/work-orders/\(leads[0].order)/reminders", as: "supervisor", world: w, json: ["assignmentId": leads[0].lead, "note": "请加快办理"])
            #expect(r.status == .ok)
            func figures() async throws -> [String: [String: Any]] {
                let list = try await app.call(.GET, "/assessment/reminders?from=2026-11-01&to=2026-11-30", as: "supervisor", world: w).array
                return Dictionary(uniqueKeysWithValues: list.map { ($0.string("unitName")!, $0) })
            }
            var f = try await figures()
            #expect(f["朝阳区人民政府"]?.int("dispatched") == 2 && f["朝阳区人民政府"]?.int("reminded") == 1 && f["朝阳区人民政府"]?.int("reminders") == 1)
            #expect(f["朝阳区人民政府"]?["reminderRate"] as? Double == 0.5 && f["朝阳区人民政府"]?.int("manualReminders") == 1)
            #expect(f["海淀区人民政府"]?.int("dispatched") == 1 && f["海淀区人民政府"]?.int("reminders") == 0)
            #expect(f["建外街道"]?.int("dispatched") == 0 && f["建外街道"]?["reminderRate"] == nil, "no assignments: no rate")

            // The yellow light at midnight into Wednesday: the clocks remind all three.
            setClock(Date(iso: "2026-11-25T00:00:01+08:00")!)
            _ = try await Worker(app: app, sender: RecordingSender()).round(now: app.hotline.now)
            let list = try await app.call(.GET, "/assessment/reminders?from=2026-11-01&to=2026-11-30", as: "supervisor", world: w).array
            #expect(list.first?.string("unitName") == "朝阳区人民政府", "the most reminded share first, then the most reminders")
            f = try await figures()
            #expect(f["朝阳区人民政府"]?.int("reminded") == 2 && f["朝阳区人民政府"]?.int("reminders") == 3 && f["朝阳区人民政府"]?.int("automaticReminders") == 2)
            #expect(f["海淀区人民政府"]?.int("reminded") == 1 && f["海淀区人民政府"]?.int("automaticReminders") == 1)
            // An earlier period holds none of it.
            let october = try await app.call(.GET, "/assessment/reminders?from=2026-10-01&to=2026-10-31", as: "supervisor", world: w).array
            #expect(october.allSatisfy { $0.int("dispatched") == 0 && $0.int("reminders") == 0 })
            // Bad input names the field; unit staff may not read other units' figures.
            let bad = try await app.call(.GET, "/assessment/reminders?from=2026-11-30&to=2026-11-01", as: "supervisor", world: w)
            #expect(bad.status == .unprocessableEntity && bad.json.string("field") == "to")
            #expect(try await app.call(.GET, "/assessment/reminders?from=11/01", as: "supervisor", world: w).json.string("field") == "from")
            #expect(try await app.call(.GET, "/assessment/reminders", as: "cy-handler", world: w).status == .forbidden)
            // The console page shows the same figures.
            let page = try await app.page(.GET, "/assessment?from=2026-11-01&to=2026-11-30", as: "supervisor", world: w).body.string
            #expect(page.contains("<td>朝阳区人民政府</td><td>2</td><td>2</td><td>100.0%</td><td>3</td><td>2</td><td>1</td>"))
        }
    }
}
