import Foundation

/// Masking of personal data (R-WO-6, R-CIT-4): what a unit or the public sees of a citizen
/// who asked for secrecy, and of staff on published answers.
public enum Masking {
    /// 张三 → 张*, 欧阳娜娜 → 欧***; keeps the surname as Chinese notices do.
    public static func name(_ s: String) -> String {
        guard let first = s.first else { return s }
        return String(first) + String(repeating: "*", count: max(1, s.count - 1))
    }

    /// 13812345678 → 138****5678; short numbers keep only their last two digits.
    public static func phone(_ s: String) -> String {
        let chars = Array(s)
        if chars.count >= 11 { return String(chars.prefix(3)) + "****" + String(chars.suffix(4)) }
        if chars.count > 2 { return String(repeating: "*", count: chars.count - 2) + String(chars.suffix(2)) }
        return String(repeating: "*", count: chars.count)
    }

    /// 18-digit ID → first 6 and last 4 visible.
    public static func idNumber(_ s: String) -> String {
        let chars = Array(s)
        guard chars.count > 10 else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(6)) + String(repeating: "*", count: chars.count - 10) + String(chars.suffix(4))
    }

    /// Keeps the district-level start of an address: 朝阳区建国路88号3单元 → 朝阳区建国路****.
    public static func address(_ s: String) -> String {
        let chars = Array(s)
        let keep = min(chars.count / 2, 6)
        return String(chars.prefix(keep)) + String(repeating: "*", count: 4)
    }

    /// Phone numbers written inside free text (the matter, an answer) are masked too.
    public static func phonesInText(_ s: String) -> String {
        var out = ""
        var run = ""
        func flush() {
            out += run.count >= 7 ? phone(run) : run
            run = ""
        }
        for c in s {
            if c.isASCII && c.isNumber { run.append(c) } else { flush(); out.append(c) }
        }
        flush()
        return out
    }

    public static func citizen(_ c: Citizen) -> Citizen {
        var m = c
        m.name = name(c.name)
        m.phone = phone(c.phone)
        m.idNumber = c.idNumber.map(idNumber)
        m.address = c.address.map(address)
        return m
    }
}
