import Foundation
import HotlineCore
import Testing

@testable import HotlineApp

@Suite("Message texts (R-INT-1)")
struct MessageRenderTests {
    @Test("{name} is filled in one pass: times shown as 月日 时:分 in China time, unknown names and stray braces kept, a value's own braces not filled again")
    func render() {
        let due = Date(iso: "2026-10-08T23:59:00+08:00")!
        let values = ["number": "20261121-000012", "due": due.isoLocal, "secret": "{number}", "utc": "2026-10-08T15:59:00Z"]
        #expect(MessageTemplates.render("工单{number}已受理，请于{due}前办结。", values) == "工单20261121-000012已受理，请于10月8日 23:59前办结。")
        #expect(MessageTemplates.render("查询码{secret}", values) == "查询码{number}")
        #expect(MessageTemplates.render("{{number}} {unknown} {utc} {", values) == "{20261121-000012} {unknown} 10月8日 23:59 {")
        #expect(MessageTemplates.render("", values) == "")
        #expect(MessageTemplates.render("{number}{number}", values) == "20261121-00001220261121-000012")
    }
}
