import Foundation
import HotlineCore
import Testing

@testable import HotlineApp

/// The list lines that write their own JSON (`DirectJSON`) against their `encode(to:)`.
@Suite("Lines that write their own JSON ([scale])")
struct DirectJSONTests {
    static let at = Date(timeIntervalSince1970: 1_795_000_000.25)

    /// Every optional set (`full`) or none.
    static func assignment(full: Bool) -> AssignmentDTO {
        let unit = UnitRef(id: UUID(), name: "朝阳区\"城管\"/执法局", level: 2, parentId: UUID(), path: "/a/b/")
        var a = Assignment(
            id: UUID(), workOrderId: UUID(), unit: unit, role: .lead, parentId: full ? UUID() : nil,
            dispatchedAt: at, signDueAt: at + 3_600, timeLimit: .workingDays(5), dueAt: at + 86_400 * 7, warnAt: at + 86_400 * 5)
        a.status = .feedbackPendingApproval
        a.signedLate = full
        a.redoCount = 2
        a.reminderCount = 1
        if full {
            a.signedAt = at + 60
            a.pausedAt = at + 120
            a.contactDueAt = at + 86_400
            a.contactedAt = at + 7_200
            a.returnReason = "不属本单位职责\n换行"
            a.returnBasis = "《条例》第3条"
            a.feedback = Feedback(
                answer: "已修复路灯", result: .solved, contactMethod: .phone, contactedAt: at + 9_000,
                citizenOpinion: "满意", policyReferences: "无", responsiblePerson: "王五", responsiblePhone: "13800000000")
            a.feedbackSubmittedAt = at + 10_000
            a.opinion = "同意"
            a.completedAt = at + 20_000
        }
        return AssignmentDTO(a, now: at + 86_400 * 6)
    }

    static func summary(full: Bool) -> WorkOrderSummaryDTO {
        WorkOrderSummaryDTO(
            id: UUID(), number: "20261121000123", version: 7, status: .handling, disposition: full ? .resolved : nil,
            channel: .phone, requestType: .complaint, categoryCode: "01.02", urgency: .urgent, title: "路灯不亮 \"夜里\" 很黑\\",
            citizenName: "张*", citizenPhone: "138****0000", isSensitive: true, createdAt: at,
            dispatchDueAt: full ? at + 600 : nil, dueAt: full ? at + 86_400 : nil, light: full ? .yellow : nil,
            redoCount: 1, appealPending: false)
    }

    /// Both paths' bytes, and the keys the `Codable` path wrote. The direct bytes are the
    /// writer's own, and must also be what the encoder sends.
    static func compare<T: DirectJSON>(_ value: T) throws -> (direct: String, codable: String, keys: Set<String>) {
        var writer = JSONWriter()
        try value.write(to: &writer)
        let direct = String(decoding: writer.bytes, as: UTF8.self)
        #expect(String(decoding: try StreamingJSONEncoder.bytes(of: value), as: UTF8.self) == direct)
        let codable = String(decoding: try StreamingJSONEncoder.bytes(of: value, direct: false), as: UTF8.self)
        let object = try JSONSerialization.jsonObject(with: Data(codable.utf8)) as? [String: Any]
        return (direct, codable, Set(object?.keys ?? [:].keys))
    }

    /// The names of a value's stored properties.
    static func properties(_ value: Any) -> Set<String> {
        Set(Mirror(reflecting: value).children.compactMap(\.label))
    }

    /// A value with every optional set and with none writes the bytes of its `encode(to:)`;
    /// with every optional set, every property is in the JSON, so a property added to the type
    /// but not to its writer fails here.
    static func expectSameBytes<T: DirectJSON>(_ make: (_ full: Bool) -> T) throws {
        for full in [true, false] {
            let value = make(full)
            let (direct, codable, keys) = try compare(value)
            #expect(direct == codable)
            if full { #expect(keys == properties(value)) }
        }
    }

    @Test("An assignment writes the bytes of its encode(to:), with every optional set and with none")
    func assignmentBytes() throws {
        try Self.expectSameBytes(Self.assignment(full:))
    }

    @Test("An order's summary writes the bytes of its encode(to:), with every optional set and with none")
    func summaryBytes() throws {
        try Self.expectSameBytes(Self.summary(full:))
    }

    @Test("An inbox page and a page of summaries, empty or not, with and without a lower-bound total, write the bytes of encode(to:)")
    func pageBytes() throws {
        let items = [true, false].map { QueueController.InboxItem(assignment: Self.assignment(full: $0), order: Self.summary(full: !$0)) }
        for page in [Page(items: items, page: 2, per: 20, total: 42), Page(items: [], page: 1, per: 20, total: 0)] {
            let (direct, codable, keys) = try Self.compare(page)
            #expect(direct == codable)
            #expect(keys == ["items", "page", "per", "total"])
        }
        let line = try Self.compare(items[0])
        #expect(line.direct == line.codable)
        #expect(line.keys == Self.properties(items[0]))
        let search = Page(items: [Self.summary(full: true)], page: 1, per: 20, total: 100, totalIsLowerBound: true)
        let (direct, codable, keys) = try Self.compare(search)
        #expect(direct == codable)
        #expect(keys == Self.properties(search))
        // Inside a value that does not write itself, a line still writes itself, in place.
        struct Wrapper: Encodable { var note = "外层"; var line: WorkOrderSummaryDTO; var after = 1 }
        let wrapped = Wrapper(line: Self.summary(full: true))
        let wrappedBytes = String(decoding: try StreamingJSONEncoder.bytes(of: wrapped), as: UTF8.self)
        #expect(wrappedBytes == String(decoding: try StreamingJSONEncoder.bytes(of: wrapped, direct: false), as: UTF8.self))
        #expect(wrappedBytes.hasPrefix("{\"note\":\"外层\",\"line\":{\"id\":"))
        #expect(wrappedBytes.hasSuffix("},\"after\":1}"))
    }
}
