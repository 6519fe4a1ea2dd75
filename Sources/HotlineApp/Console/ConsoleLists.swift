import HotlineCore
import Vapor

/// One line of an order list (queues, search, caller history), with its labels resolved.
struct OrderLine: Encodable {
    var id: String
    var number: String
    var title: String
    var type: String
    var channel: String
    var status: String
    var light: String
    var lightLabel: String
    var createdAt: String
    var dueAt: String
    var citizen: String
    var phone: String
    var sensitive: Bool
    var urgent: Bool
    /// Still open: another order may merge into it (a closed one may only be linked to).
    var open: Bool

    init(_ o: WorkOrderSummaryDTO, lang: ConsoleLanguage) {
        id = o.id.uuidString
        number = o.number
        title = o.title
        type = ConsoleStrings.label("type.\(o.requestType.rawValue)", lang)
        channel = ConsoleStrings.label("channel.\(o.channel.rawValue)", lang)
        status = ConsoleStrings.label("status.\(o.status.rawValue)", lang)
        light = o.light?.rawValue ?? "none"
        lightLabel = o.light.map { ConsoleStrings.label("light.\($0.rawValue)", lang) } ?? ""
        createdAt = ConsoleFormat.time(o.createdAt)
        dueAt = ConsoleFormat.time(o.status == .pendingDispatch ? o.dispatchDueAt : o.dueAt)
        citizen = o.citizenName
        phone = o.citizenPhone
        sensitive = o.isSensitive
        urgent = o.urgency != .normal
        open = o.status.isOpen
    }
}

/// Paging links for a list: the same query with another page.
struct Pager: Encodable {
    var page: Int
    var pages: Int
    var total: Int
    var totalIsLowerBound: Bool
    var prev: String?
    var next: String?

    init<T>(_ p: Page<T>, url: URI) {
        page = p.page
        total = p.total
        totalIsLowerBound = p.totalIsLowerBound ?? false
        pages = max(1, (p.total + p.per - 1) / p.per)
        func link(_ n: Int) -> String {
            var items = (url.query ?? "").split(separator: "&").filter { !$0.hasPrefix("page=") && !$0.hasPrefix("done=") }.map(String.init)
            items.append("page=\(n)")
            return url.path + "?" + items.joined(separator: "&")
        }
        prev = p.page > 1 ? link(p.page - 1) : nil
        next = (p.page < pages || (totalIsLowerBound && p.items.count == p.per)) ? link(p.page + 1) : nil
    }
}

/// A list page: its lines, paging, and the tabs or filters above it.
struct ListData: Encodable {
    struct Tab: Encodable {
        var href: String
        var label: String
        var count: Int?
        var active: Bool
    }

    var heading: String
    var tabs: [Tab]
    var lines: [OrderLine]
    var pager: Pager
    /// For inbox lines: the unit's own share (status, sign and due times).
    var shares: [Share]

    struct Share: Encodable {
        var orderId: String
        var number: String
        var title: String
        var role: String
        var status: String
        var light: String
        var lightLabel: String
        var signDueAt: String
        var dueAt: String
        var citizen: String
        var type: String
    }
}
