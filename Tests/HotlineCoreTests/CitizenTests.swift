import Foundation
import Testing
@testable import HotlineCore

@Suite("Public text: personal data masked inside free text (R-CIT-4)")
struct PublicTextTests {
    @Test("Phone numbers, landlines with dashes and ID numbers inside a matter")
    func numbers() {
        let text = "我叫李建国，电话13912345678，家里座机010-6512 3456，身份证110105199001011234，请回电。"
        let masked = Masking.publicText(text)
        #expect(masked == "我叫李**，电话139****5678，家里座机010****3456，身份证110105********1234，请回电。")
        #expect(Masking.publicText("身份证号11010519900101123X。") == "身份证号110105********123X。")
    }

    @Test("House, building, unit and room numbers; the road, the district and metro lines stay")
    func addresses() {
        #expect(Masking.publicAddress("朝阳区建国路88号院3号楼2单元501室") == "朝阳区建国路**号院*号楼*单元***室")
        #expect(Masking.publicText("家住海淀区学院路甲5号三单元十二层") == "家住海淀区学院路甲*号*单元**层")
        #expect(Masking.publicText("地铁10号线国贸站") == "地铁10号线国贸站")
        #expect(Masking.publicText("11月24日下午3点已修复，共10盏路灯") == "11月24日下午3点已修复，共10盏路灯", "dates, times and counts are not addresses")
    }

    @Test("Full-width digits, e-mail addresses, bare address numbers and names from the people element")
    func harderCases() {
        #expect(Masking.publicText("电话１３８００１３８０００") == "电话138****8000")
        #expect(Masking.publicText("邮箱wangfang.88@example.com请回复") == "邮箱w***@example.com请回复")
        #expect(Masking.publicAddress("朝阳区建国路3-2-501") == "朝阳区建国路*-*-***")
        #expect(Masking.namesIn("邻居王建国、物业李经理") == ["王建国", "李经理"])
        #expect(Masking.namesIn("楼上住户") == [])
        var o = try! Story(intakeAt: "2026-11-23T09:00:00").order
        o.elements.people = "邻居王建国"
        o.elements.matter = "王建国家每晚装修"
        #expect(Disclosure.draft(o, knownNames: []).matter == "王**家每晚装修")
    }

    @Test("Licence plates keep the province and the issuing letter")
    func plates() {
        #expect(Masking.publicText("车牌京A12345的车辆长期占用消防通道") == "车牌京A*****的车辆长期占用消防通道")
        #expect(Masking.publicText("新能源车粤B·D12345充电") == "新能源车粤B·******充电")
        #expect(Masking.publicText("北京AB") == "北京AB", "a province name before capitals is not a plate")
    }

    @Test("Names after cue words and before honorifics, and every known name")
    func names() {
        #expect(Masking.publicText("联系人：王小明，经办人张伟。") == "联系人：王**，经办人张*。")
        #expect(Masking.publicText("物业的刘建华经理表示") == "物业的刘**经理表示")
        #expect(Masking.publicText("张先生反映楼下噪音") == "张先生反映楼下噪音", "the surname alone is how notices address people")
        #expect(Masking.publicText("我是业主，物业不作为") == "我是业主，物业不作为", "no surname after the cue: no name")
        let answer = "经赵德胜同志现场核实，已联系欧阳娜娜本人说明情况。"
        #expect(Masking.publicText(answer, knownNames: ["欧阳娜娜"]) == "经赵**同志现场核实，已联系欧***本人说明情况。")
    }
}

@Suite("Tracking: query secret and lockout (R-CIT-2)")
struct TrackingTests {
    @Test("Secrets are 8 unambiguous characters; typed ones are normalised and checked for shape")
    func secrets() {
        var seen = Set<String>()
        for _ in 0..<200 {
            let s = QuerySecret.generate()
            #expect(s.count == 8 && QuerySecret.isWellFormed(s))
            #expect(!s.contains { "01OIL".contains($0) })
            seen.insert(s)
        }
        #expect(seen.count == 200)
        #expect(QuerySecret.normalized(" abcd-efgh ") == "ABCDEFGH")
        #expect(!QuerySecret.isWellFormed("ABCD1FGH") && !QuerySecret.isWellFormed("ABC"))
    }

    @Test("Five wrong secrets lock the order for 15 minutes, even against the right one; a right one clears the count")
    func lockout() {
        let g = LookupGuard()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var state = LookupGuard.State()
        for i in 1...4 {
            let (outcome, next) = g.attempt(state, secretMatches: false, at: t0)
            #expect(outcome == .wrongSecret(remaining: 5 - i))
            state = next
        }
        let (fifth, locked) = g.attempt(state, secretMatches: false, at: t0)
        #expect(fifth == .locked(until: t0.addingTimeInterval(900)))
        let (during, same) = g.attempt(locked, secretMatches: true, at: t0.addingTimeInterval(899))
        #expect(during == .locked(until: t0.addingTimeInterval(900)) && same == locked)
        let (after, cleared) = g.attempt(locked, secretMatches: true, at: t0.addingTimeInterval(900))
        #expect(after == .allowed && cleared == LookupGuard.State())
        let (wrongAfter, fresh) = g.attempt(locked, secretMatches: false, at: t0.addingTimeInterval(901))
        #expect(wrongAfter == .wrongSecret(remaining: 4) && fresh.failures == 1, "a lock that ran out starts a fresh count")
    }
}

@Suite("Public intake: the portal and Open311 (R-CIT-1, R-CIT-5)")
struct PublicIntakeTests {
    static func portal() -> PublicSubmission {
        PublicSubmission(
            channel: .web, requestType: .complaint, categoryCode: "040102", title: "楼上夜间噪音", description: "楼上每晚11点后拖动家具",
            address: "朝阳区建国路88号", name: "王芳", phone: "13800001111", consentsToDisclosure: true)
    }

    @Test("The portal needs a title, a name and a phone; every problem names its field")
    func portalRules() {
        #expect(PublicIntake.validate(Self.portal(), names: .portal).isEmpty)
        var s = Self.portal()
        s.title = " "
        s.name = ""
        s.phone = "abc"
        s.description = String(repeating: "噪", count: 4001)
        s.latitude = 91
        s.longitude = 116.4
        let fields = PublicIntake.validate(s, names: .portal).map(\.field)
        #expect(fields == ["title", "description", "name", "phone", "latitude"])
    }

    @Test("Open311 needs a location, names fields as the spec does, and may be anonymous")
    func open311Rules() {
        var s = PublicSubmission(channel: .open311, categoryCode: "010101", description: "Street light out")
        #expect(PublicIntake.validate(s, names: .open311).map(\.field) == ["lat"])
        s.addressId = "BJ-000231"
        #expect(PublicIntake.validate(s, names: .open311).isEmpty, "address_id is a location")
        s.addressId = ""
        s.latitude = 39.9
        #expect(PublicIntake.validate(s, names: .open311).map(\.field) == ["long"])
        s.longitude = 116.4
        #expect(PublicIntake.validate(s, names: .open311).isEmpty)
        s.attributes = [("设施编号", "LD-0231")]
        s.email = "a@example.org"
        let d = PublicIntake.draft(s, serviceName: "路灯")
        #expect(d.title == "路灯：Street light out" && d.channel == .open311 && d.citizen.anonymous)
        #expect(d.elements.course == "Street light out\n【设施编号】LD-0231\n【电子邮箱】a@example.org")
        #expect(Intake.validate(d).isEmpty, "an anonymous Open311 request passes the intake rules")
    }

    @Test("Service attributes: the request type, a required list for noise, numbers checked")
    func attributes() {
        let noise = Open311.attributes(forCategory: "040102").map(\.code)
        #expect(noise == ["request_type", "noise_period"])
        var r = Open311.readAttributes(["request_type": ["complaint"], "noise_period": ["night"], "other": ["x"]], category: "040102")
        #expect(r.requestType == .complaint && r.problems.isEmpty)
        #expect(r.lines.map(\.value) == ["夜间 (22:00–6:00)"])
        r = Open311.readAttributes(["request_type": ["nonsense"]], category: "040102")
        #expect(r.problems.map(\.field) == ["attribute[request_type]", "attribute[noise_period]"])
        r = Open311.readAttributes(["households": ["many"]], category: "010201")
        #expect(r.problems.map(\.field) == ["attribute[households]"])
        #expect(Open311.status(.awaitingReview) == "open" && Open311.status(.archived) == "closed")
    }
}

@Suite("Citizens act online: rating, appeal, disclosure (R-CIT-3, R-CIT-4)")
struct CitizenActionTests {
    /// An order answered, reviewed and waiting for its callback; the citizen agreed to
    /// disclosure and did not ask for secrecy.
    static func answered() throws -> Story {
        var d = F.draft()
        d.citizen = Citizen(name: "张三", phone: "13812345678", wantsSecrecy: false, consentsToDisclosure: true)
        var s = try Story(intakeAt: "2026-11-23T09:00:00", draft: d)
        try s.run(.dispatch(DispatchPlan(mode: .transfer, lead: F.district)), by: F.dispatcher, at: "2026-11-23T10:00:00")
        try s.run(.sign(assignment: s.lead.id), by: F.districtHandler, at: "2026-11-23T11:00:00")
        try s.run(.submitFeedback(assignment: s.lead.id, F.feedback(at: F.t("2026-11-24T10:00:00"))), by: F.districtHandler, at: "2026-11-24T11:00:00")
        try s.run(.approveFeedback(assignment: s.lead.id, approve: true, note: nil), by: F.districtLeader, at: "2026-11-24T14:00:00")
        try s.run(.review(approve: true, reasons: nil), by: F.reviewer, at: "2026-11-24T16:00:00", sample: 0)
        return s
    }

    @Test("A satisfied web rating is the callback and closes; an unsatisfied one waits for an agent")
    func rating() throws {
        var s = try Self.answered()
        #expect(CitizenView.canRate(s.order) && CitizenView.answer(s.order) != nil && CitizenView.stage(s.order) == "answered")
        let lifecycle = F.lifecycle(at: "2026-11-25T09:00:00")
        let unhappy = try lifecycle.webRating(satisfaction: .unsatisfied, solved: false, comment: "路灯还是不亮", to: s.aggregate)
        #expect(unhappy.aggregate.order.status == .awaitingCallback && unhappy.events.map(\.action) == ["callbackReply"])
        #expect(unhappy.events[0].details["method"] == "web")
        let t = try lifecycle.webRating(satisfaction: .satisfied, solved: true, comment: "", to: s.aggregate)
        s.aggregate = t.aggregate
        #expect(s.order.status == .closed && s.order.callback?.method == .web && s.order.callback?.satisfaction == .satisfied)
        #expect(throws: RuleViolation.self) { try lifecycle.webRating(satisfaction: .satisfied, solved: true, comment: "", to: s.aggregate) }
    }

    @Test("The citizen appeals within the window, by no staff member; after it the appeal is refused")
    func appeal() throws {
        var s = try Self.answered()
        let closing = try F.lifecycle(at: "2026-11-25T09:00:00").webRating(satisfaction: .satisfied, solved: true, comment: "", to: s.aggregate)
        s.aggregate = closing.aggregate
        let lifecycle = F.lifecycle(at: "2026-12-01T09:00:00")
        let deadline = try #require(lifecycle.appealDeadline(s.order))
        #expect(deadline > F.t("2026-12-24T00:00:00"))
        let t = try lifecycle.citizenAppeal(reason: "路灯又坏了", to: s.aggregate)
        #expect(t.aggregate.order.status == .awaitingReview && t.aggregate.order.appealPending && t.events[0].details["by"] == "citizen")
        let late = F.lifecycle(at: "2027-01-30T09:00:00")
        #expect(throws: RuleViolation.self) { try late.citizenAppeal(reason: "太晚了", to: s.aggregate) }
        #expect(throws: RuleViolation.self) { try lifecycle.citizenAppeal(reason: " ", to: s.aggregate) }
    }

    @Test("Only closed, consented, non-secret, non-report orders with an answer are published, masked")
    func disclosure() throws {
        var s = try Self.answered()
        #expect(Disclosure.refusal(s.order)?.code == "not_closed")
        s.aggregate = try F.lifecycle(at: "2026-11-25T09:00:00").webRating(satisfaction: .satisfied, solved: true, comment: "", to: s.aggregate).aggregate
        #expect(Disclosure.refusal(s.order) == nil)
        var secret = s.order
        secret.citizen.wantsSecrecy = true
        #expect(Disclosure.refusal(secret)?.code == "secret_order")
        var report = s.order
        report.requestType = .report
        #expect(Disclosure.refusal(report)?.code == "report_order")
        var unconsented = s.order
        unconsented.citizen.consentsToDisclosure = false
        #expect(Disclosure.refusal(unconsented)?.code == "no_consent")

        var o = s.order
        o.elements.matter = "我是张三，住建国路88号3单元，电话13812345678，门口路灯不亮"
        o.answer = "经办人李四已于11月24日更换灯具，联系电话010-85000000。"
        let p = Disclosure.draft(o, knownNames: ["李四"])
        #expect(p.matter == "我是张*，住建国路**号*单元，电话138****5678，门口路灯不亮")
        #expect(p.answer == "经办人李*已于11月24日更换灯具，联系电话010****0000。")
        #expect(p.address == "朝阳区建国路**号")
        let edited = Publication(title: "路灯不亮", matter: "张三反映门口路灯不亮，手机13812345678", address: "", answer: "已修复")
        let f = try Disclosure.finalize(edited, for: o, knownNames: [])
        #expect(f.matter == "张*反映门口路灯不亮，手机138****5678", "an edit cannot bring the citizen's data back")
        #expect(throws: RuleViolation.self) { try Disclosure.finalize(Publication(title: "", matter: "x", address: "", answer: "y"), for: o, knownNames: []) }
    }
}
