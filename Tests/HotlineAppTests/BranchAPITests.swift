import Fluent
import Foundation
import HotlineCore
import Testing
import Vapor
import VaporTesting

@testable import HotlineApp

/// The branches the main lifecycle test does not walk, each through the HTTP API as a client
/// meets it (and so each response also checked against openapi.yaml by `call`).
@Suite("Every branch and queue through the HTTP API")
struct BranchAPITests {
    @Test("Closed at intake: direct answer, decline, guide, and a duplicate merged into its original")
    func closedAtIntake() async throws {
        try await withTestApp { app, w, _ in
            func intake(phone: String = "13812345678") async throws -> String {
                try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody(phone: phone)).json.string("id")!
            }
            let answered = try await intake(), declined = try await intake(phone: "13900000001"), guided = try await intake(phone: "13900000002")
            let queue = try await app.call(.GET, "/queues/awaiting-dispatch", as: "dispatcher", world: w)
            #expect(queue.status == .ok)
            #expect((queue.json["items"] as? [[String: Any]])?.count == 3)

            var r = try await app.call(.POST, "/work-orders/\(answered)/direct-answer", as: "agent", world: w, json: ["answer": "路灯报修请拨打 96101, 已告知", "knowledgeArticleRef": "KB-0042"])
            #expect(r.status == .ok && r.json.string("status") == "closed" && r.json.string("disposition") == "directAnswer")
            #expect(r.json.string("knowledgeArticleRef") == "KB-0042")
            r = try await app.call(.POST, "/work-orders/\(declined)/decline", as: "agent", world: w, json: ["reasonCode": "noSubstance", "note": "无法核实"])
            #expect(r.json.string("disposition") == "declined" && r.json.string("declineReasonCode") == "noSubstance")
            r = try await app.call(.POST, "/work-orders/\(guided)/guide", as: "agent", world: w, json: ["target": "110"])
            #expect(r.json.string("disposition") == "guided" && r.json.string("guideTarget") == "110")
            // Only pending orders can be closed at intake.
            r = try await app.call(.POST, "/work-orders/\(guided)/decline", as: "agent", world: w, json: ["reasonCode": "noSubstance"])
            #expect(r.status == .conflict && r.json.string("code") == "illegal_transition")

            let original = try await intake(phone: "13700000007"), repeated = try await intake(phone: "13700000007")
            let candidates = try await app.call(.GET, "/work-orders/\(repeated)/duplicates", as: "agent", world: w)
            #expect(candidates.array.contains { $0.string("id") == original })
            r = try await app.call(.POST, "/work-orders/\(repeated)/merge", as: "agent", world: w, json: ["targetId": original, "note": "同一来电人重复反映"])
            #expect(r.status == .ok)
            let merged = try await app.call(.GET, "/work-orders/\(repeated)", as: "agent", world: w).json
            #expect(merged.string("disposition") == "merged" && merged.string("mergedIntoId")?.lowercased() == original.lowercased())
            let target = try await app.call(.GET, "/work-orders/\(original)/timeline", as: "agent", world: w).array
            #expect(target.contains { $0.string("action") == "mergedIn" && ($0["details"] as? [String: String])?["fromId"]?.lowercased() == repeated.lowercased() })
            r = try await app.call(.POST, "/work-orders/\(repeated)/appeal", as: "agent", world: w, json: ["reason": "x"])
            #expect(r.status == .conflict)
        }
    }

    @Test("呈办 to a leader, reminders, supervision, contact, sub-dispatch review, close without callback, appeal — and every queue on the way")
    func escalatedOrderWithEverything() async throws {
        try await withTestApp { app, w, setClock in
            func items(_ r: TestingHTTPResponse) -> [[String: Any]] { r.json["items"] as? [[String: Any]] ?? [] }
            func ids(_ r: TestingHTTPResponse) -> [String] { items(r).compactMap { ($0["order"] as? [String: Any])?.string("id") ?? $0.string("id") } }
            let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody(type: "help")).json.string("id")!

            var r = try await app.call(.POST, "/work-orders/\(id)/escalate", as: "dispatcher", world: w, json: ["proposal": "涉及多区, 建议朝阳区牵头"])
            #expect(r.json.string("status") == "awaitingInstruction" && r.json.string("handlingMode") == "escalated")
            #expect(ids(try await app.call(.GET, "/queues/awaiting-instruction", as: "leader", world: w)).contains(id))
            r = try await app.call(.POST, "/work-orders/\(id)/instruct", as: "dispatcher", world: w, json: ["instruction": "同意"])
            #expect(r.status == .forbidden)
            r = try await app.call(.POST, "/work-orders/\(id)/instruct", as: "leader", world: w, json: ["instruction": "同意, 朝阳区牵头办理"])
            #expect(r.json.string("status") == "pendingDispatch" && r.json.string("leaderInstruction") == "同意, 朝阳区牵头办理")
            r = try await app.call(.POST, "/work-orders/\(id)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString])
            #expect(r.json.string("status") == "handling")
            let lead = r.json.assignments[0].string("id")!
            #expect(r.json.assignments[0]["contactDueAt"] != nil, "a help request has a contact deadline (R-UH-3)")

            #expect(ids(try await app.call(.GET, "/queues/inbox?bucket=toSign", as: "cy-handler", world: w)).contains(id))
            #expect(ids(try await app.call(.GET, "/queues/inbox?bucket=toSign&unitId=\(w.chaoyang.id!.uuidString)", as: "dispatcher", world: w)).contains(id))
            r = try await app.call(.GET, "/queues/inbox", as: "dispatcher", world: w)
            #expect(r.status == .unprocessableEntity && r.json.string("field") == "unitId")
            setClock(Date(iso: "2026-11-23T10:00:00+08:00")!)
            _ = try await app.call(.POST, "/assignments/\(lead)/sign", as: "cy-handler", world: w)
            #expect(ids(try await app.call(.GET, "/queues/inbox?bucket=inHand", as: "cy-handler", world: w)).contains(id))
            r = try await app.call(.POST, "/assignments/\(lead)/contact", as: "cy-handler", world: w, json: ["method": "phone", "note": "已联系来电人"])
            #expect(r.status == .ok && r.json.assignments[0]["contactedAt"] != nil)

            r = try await app.call(.POST, "/work-orders/\(id)/reminders", as: "supervisor", world: w, json: ["assignmentId": lead, "note": "请加快办理"])
            #expect((r.json["reminders"] as? [[String: Any]])?.count == 1 && r.json.assignments[0].int("reminderCount") == 1)
            r = try await app.call(.POST, "/work-orders/\(id)/supervisions", as: "supervisor", world: w, json: ["assignmentId": lead, "method": "written", "note": "群众反映强烈", "instruction": "三日内办结"])
            let supervision = (r.json["supervisions"] as? [[String: Any]])?.first?.string("id")
            #expect(supervision != nil)
            r = try await app.call(.POST, "/work-orders/\(id)/supervisions/\(supervision!)/close", as: "supervisor", world: w, json: ["note": "已落实"])
            #expect((r.json["supervisions"] as? [[String: Any]])?.first?["closedAt"] != nil)
            r = try await app.call(.POST, "/work-orders/\(id)/supervisions/\(supervision!)/close", as: "supervisor", world: w, json: ["note": "再次"])
            #expect(r.status == .conflict)

            // 二次派单 to a level-3 street office, whose answer the district reviews.
            r = try await app.call(.POST, "/assignments/\(lead)/sub-dispatch", as: "cy-handler", world: w, json: ["unitId": w.jianwai.id!.uuidString, "note": "请建外街道核实"])
            let child = r.json.assignments.first { $0.string("parentId") != nil }!.string("id")!
            _ = try await app.call(.POST, "/assignments/\(child)/sign", as: "jw-handler", world: w)
            let feedback: [String: Any] = [
                "answer": "已修复", "result": "solved", "contactMethod": "phone", "contactedAt": "2026-11-23T11:00:00+08:00",
                "citizenOpinion": "认可", "policyReferences": "无", "responsiblePerson": "王五", "responsiblePhone": "010-85000001",
            ]
            r = try await app.call(.POST, "/assignments/\(child)/feedback", as: "jw-handler", world: w, json: feedback)
            #expect(r.status == .ok)
            #expect(ids(try await app.call(.GET, "/queues/inbox?bucket=approvals", as: "jw-leader", world: w)).contains(id))
            _ = try await app.call(.POST, "/assignments/\(child)/feedback-approval", as: "jw-leader", world: w, json: ["approve": true])
            r = try await app.call(.POST, "/assignments/\(child)/sub-review", as: "hd-handler", world: w, json: ["approve": true])
            #expect(r.status == .forbidden || r.status == .notFound)
            r = try await app.call(.POST, "/assignments/\(child)/sub-review", as: "cy-handler", world: w, json: ["approve": true, "note": "核实无误"])
            #expect(r.json.assignments.first { $0.string("id") == child }?.string("status") == "completed")

            _ = try await app.call(.POST, "/assignments/\(lead)/feedback", as: "cy-handler", world: w, json: feedback)
            #expect(ids(try await app.call(.GET, "/queues/inbox?bucket=approvals", as: "cy-leader", world: w)).contains(id))
            _ = try await app.call(.POST, "/assignments/\(lead)/feedback-approval", as: "cy-leader", world: w, json: ["approve": true])
            #expect(ids(try await app.call(.GET, "/queues/awaiting-review", as: "reviewer", world: w)).contains(id))
            _ = try await app.call(.POST, "/work-orders/\(id)/review", as: "reviewer", world: w, json: ["approve": true])
            #expect(ids(try await app.call(.GET, "/queues/awaiting-callback", as: "callback", world: w)).contains(id))
            r = try await app.call(.POST, "/work-orders/\(id)/close", as: "callback", world: w, json: ["note": "未抽中回访, 办结"])
            #expect(r.json.string("status") == "closed" && r.json.string("disposition") == "resolved")

            // 复核: the citizen disputes the answer; the order goes back for review.
            r = try await app.call(.POST, "/work-orders/\(id)/appeal", as: "agent", world: w, json: ["reason": "路灯仍不亮"])
            #expect(r.json.string("status") == "awaitingReview" && r.json["appealPending"] as? Bool == true && r.json.int("appealCount") == 1)

            let counts = try await app.call(.GET, "/queues/counts", as: "reviewer", world: w)
            #expect(counts.status == .ok)
            let actions = Set(try await app.call(.GET, "/work-orders/\(id)/timeline", as: "reviewer", world: w).array.compactMap { $0.string("action") })
            for step in ["escalate", "instruct", "dispatch", "sign", "recordContact", "remind", "supervise", "closeSupervision", "subDispatch", "reviewSubAnswer", "approveFeedback", "review", "close", "appeal"] {
                #expect(actions.contains(step), "timeline lacks \(step)")
            }
        }
    }

    @Test("Administration through the API: me, units, accounts, dictionaries, parameters, rules, logout")
    func administration() async throws {
        try await withTestApp { app, w, _ in
            var r = try await app.call(.GET, "/me", as: "admin", world: w)
            #expect(r.json.string("username") == "admin")

            r = try await app.call(.POST, "/units", as: "admin", world: w, json: ["code": "cy-water", "name": "朝阳区水务局", "parentId": w.chaoyang.id!.uuidString, "kind": "department"])
            #expect(r.status == .created && r.json.int("level") == 3)
            let unit = r.json.string("id")!
            r = try await app.call(.PATCH, "/units/\(unit)", as: "admin", world: w, json: ["leaderName": "赵六", "liaisonPhone": "010-85000002"])
            #expect(r.json.string("leaderName") == "赵六")
            r = try await app.call(.POST, "/units", as: "admin", world: w, json: ["code": "too-deep", "name": "第四级", "parentId": unit, "kind": "department"])
            #expect(r.status == .unprocessableEntity && r.json.string("field") == "parentId")
            #expect(try await app.call(.GET, "/units", as: "admin", world: w).array.contains { $0.string("id") == unit })

            r = try await app.call(.POST, "/accounts", as: "admin", world: w, json: ["username": "water-handler", "displayName": "水务承办", "password": "long-enough-1", "unitId": unit, "roles": ["unitHandler"]])
            #expect(r.status == .created)
            let account = r.json.string("id")!
            r = try await app.call(.PATCH, "/accounts/\(account)", as: "admin", world: w, json: ["displayName": "水务局承办人", "active": false])
            #expect(r.json.string("displayName") == "水务局承办人")
            #expect(try await app.call(.GET, "/accounts", as: "admin", world: w).array.contains { $0.string("id") == account })
            r = try await app.call(.POST, "/sessions", as: nil, world: w, json: ["username": "water-handler", "password": "long-enough-1"])
            #expect(r.status == .unauthorized, "a deactivated account cannot log in")

            r = try await app.call(.POST, "/dictionaries/declineReason", as: "admin", world: w, json: ["code": "duplicateOnline", "name": "已在网上渠道重复提交", "sort": 99, "active": true])
            #expect(r.status == .created)
            r = try await app.call(.PATCH, "/dictionaries/declineReason/duplicateOnline", as: "admin", world: w, json: ["nameEn": "Already submitted online"])
            #expect(r.json.string("nameEn") == "Already submitted online")
            #expect(try await app.call(.GET, "/dictionaries/declineReason", as: "agent", world: w).array.contains { $0.string("code") == "duplicateOnline" })

            #expect(try await app.call(.GET, "/parameters", as: "admin", world: w).array.contains { $0.string("key") == "warning.margin" })
            r = try await app.call(.POST, "/time-limit-rules", as: "admin", world: w, json: ["requestType": "complaint", "urgency": "urgent", "limit": ["amount": 3, "unit": "workingDays"]])
            #expect(r.status == .created)
            let rule = r.json.string("id")!
            #expect(try await app.call(.GET, "/time-limit-rules", as: "admin", world: w).array.contains { $0.string("id") == rule })
            r = try await app.call(.DELETE, "/time-limit-rules/\(rule)", as: "admin", world: w)
            #expect(r.status == .noContent)

            r = try await app.call(.POST, "/sessions", as: nil, world: w, json: ["username": "agent", "password": "password123"])
            let token = r.json.string("token")!
            var world = w
            world.tokens["fresh"] = token
            #expect(try await app.call(.DELETE, "/sessions/current", as: "fresh", world: world).status == .noContent)
            #expect(try await app.call(.GET, "/me", as: "fresh", world: world).status == .unauthorized)
        }
    }
}
