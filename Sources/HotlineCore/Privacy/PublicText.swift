import Foundation

/// Personal data inside free text (R-CIT-4): what the public side shows of a matter, an answer
/// or an address. Everything here errs towards masking too much: a street name read as a
/// person's name loses a word, a person's name left in a published answer cannot be taken back.
extension Masking {
    /// Masks, anywhere in `text`: the `knownNames` (the citizen, the staff who handled the
    /// order), names after cue words (我叫, 联系人, 经办人 …) and before honorifics (先生, 女士 …),
    /// resident ID numbers, phone numbers (7 or more digits, dashes and spaces allowed inside),
    /// licence plates, and the numbers of house, building, unit and room in addresses.
    public static func publicText(_ text: String, knownNames: [String] = []) -> String {
        // Full-width digits and letters read as the ASCII ones: a phone number typed on a
        // Chinese keyboard (１３８…) is still a phone number.
        var t = String(String.UnicodeScalarView(text.unicodeScalars.map { u in
            (0xFF10...0xFF19).contains(u.value) || (0xFF21...0xFF3A).contains(u.value) || (0xFF41...0xFF5A).contains(u.value)
                ? Unicode.Scalar(u.value - 0xFEE0)! : u
        }))
        t = maskEmails(t)
        // Longest first, so 欧阳娜娜 is masked before a 欧阳 inside it.
        for n in Set(knownNames.map(\.trimmed)).filter({ $0.count >= 2 }).sorted(by: { $0.count > $1.count }) {
            t = t.replacingOccurrences(of: n, with: name(n))
        }
        let chars = Array(t)
        var hide = [Bool](repeating: false, count: chars.count)
        markNamesAfterCues(chars, &hide)
        markNamesBeforeHonorifics(chars, &hide)
        return maskNumbers(chars, hide)
    }

    /// An address as the public sees it: the road kept, every number in it masked (house,
    /// building and room numbers, and forms like 3-2-501 that carry no marker).
    public static func publicAddress(_ address: String) -> String {
        String(publicText(address).map { $0.isASCII && $0.isNumber ? "*" : $0 })
    }

    /// Names written in free text such as the 人物 element (邻居王建国、物业李经理): the parts
    /// that look like a name (2–4 Chinese characters starting with a common surname).
    public static func namesIn(_ text: String) -> [String] {
        let separators: Set<Character> = Set("，,、；;。 和及与跟\n")
        return text.split(whereSeparator: { separators.contains($0) }).flatMap { part -> [String] in
            let chars = Array(part)
            var out: [String] = []
            // A name may follow a relation word: 邻居王建国 → 王建国.
            for start in chars.indices where surnames.contains(chars[start]) {
                let rest = chars[start...].prefix(4)
                guard rest.count >= 2, rest.allSatisfy(isHan) else { continue }
                out.append(String(rest.prefix(3)))
            }
            return out
        }
    }

    /// user@example.com → u***@example.com.
    static func maskEmails(_ text: String) -> String {
        let chars = Array(text)
        var out = ""
        var i = 0
        func isLocal(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || "._%+-".contains(c)) }
        func isDomain(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || ".-".contains(c)) }
        while i < chars.count {
            if chars[i] == "@" {
                var start = out.endIndex
                while start > out.startIndex, isLocal(out[out.index(before: start)]) { start = out.index(before: start) }
                var end = i + 1
                while end < chars.count, isDomain(chars[end]) { end += 1 }
                let local = out[start...]
                if !local.isEmpty, end > i + 1, chars[(i + 1)..<end].contains(".") {
                    out.replaceSubrange(start..., with: String(local.prefix(1)) + "***")
                }
            }
            out.append(chars[i])
            i += 1
        }
        return out
    }

    // MARK: Names

    /// The commonest Chinese surnames (well over 90% of people). A name is only recognised
    /// where it starts with one, which keeps ordinary words after a cue (我是业主) unmasked.
    static let surnames: Set<Character> = Set(
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
    )
    static let nameCues = ["我叫", "本人", "姓名", "联系人", "名叫", "经办人", "承办人", "工作人员", "诉求人", "来电人", "负责人", "网格员", "民警", "市民", "业主"]
    static let honorifics = ["先生", "女士", "小姐", "师傅", "阿姨", "大爷", "大妈", "老师", "经理", "主任", "科长", "书记", "同志"]
    /// Characters that end a name read after a cue: 我叫张三来反映 is 张三, not 张三来.
    static let nameStops: Set<Character> = Set("先女师的了和与及反称说在是来去于向对给已因为等，。、；：:,. （(")

    static func isHan(_ c: Character) -> Bool {
        guard let v = c.unicodeScalars.first?.value, c.unicodeScalars.count == 1 else { return false }
        return (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v)
    }

    private static func markNamesAfterCues(_ chars: [Character], _ hide: inout [Bool]) {
        for cue in nameCues {
            let c = Array(cue)
            var i = 0
            while i + c.count < chars.count {
                guard chars[i..<(i + c.count)].elementsEqual(c) else { i += 1; continue }
                var j = i + c.count
                while j < chars.count, [":", "：", " ", "是", "为"].contains(chars[j]) { j += 1 }
                if j < chars.count, surnames.contains(chars[j]) {
                    var k = j + 1
                    while k < chars.count, k <= j + 2, isHan(chars[k]), !nameStops.contains(chars[k]) {
                        hide[k] = true
                        k += 1
                    }
                }
                i = j
            }
        }
    }

    private static func markNamesBeforeHonorifics(_ chars: [Character], _ hide: inout [Bool]) {
        for h in honorifics {
            let c = Array(h)
            var j = 1
            while j + c.count <= chars.count {
                defer { j += 1 }
                guard chars[j..<(j + c.count)].elementsEqual(c) else { continue }
                // 王建国先生 → 王**先生; 张明先生 → 张*先生; 张先生 stays (the surname alone
                // is how notices address people).
                // A surname that is also a little word (和, 向, 于) does not start a name here.
                if j >= 3, surnames.contains(chars[j - 3]), !nameStops.contains(chars[j - 3]), isHan(chars[j - 2]), isHan(chars[j - 1]),
                    !nameStops.contains(chars[j - 2]), !nameStops.contains(chars[j - 1])
                {
                    hide[j - 2] = true
                    hide[j - 1] = true
                } else if j >= 2, surnames.contains(chars[j - 2]), !nameStops.contains(chars[j - 2]), isHan(chars[j - 1]), !nameStops.contains(chars[j - 1]) {
                    hide[j - 1] = true
                }
            }
        }
    }

    // MARK: Numbers

    static let plateProvinces: Set<Character> = Set("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
    /// What follows a house, building, unit or room number in a Chinese address.
    static let houseMarkers = ["号楼", "号院", "号", "栋", "幢", "单元", "室", "层", "楼", "户", "门", "排", "座"]
    static let chineseNumerals: Set<Character> = Set("〇零一二三四五六七八九十百")

    static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
    static func isFullwidthDigit(_ c: Character) -> Bool { ("０"..."９").contains(c) }
    static func isPlateChar(_ c: Character) -> Bool { c.isASCII && (c.isNumber || c.isUppercase) }

    private static func maskNumbers(_ chars: [Character], _ hide: [Bool]) -> String {
        var out = ""
        out.reserveCapacity(chars.count)
        var i = 0
        func hasMarker(at k: Int) -> Bool {
            for m in houseMarkers {
                let mc = Array(m)
                guard k + mc.count <= chars.count, chars[k..<(k + mc.count)].elementsEqual(mc) else { continue }
                // 地铁1号线 is a line, not a house.
                if m == "号", k + 1 < chars.count, chars[k + 1] == "线" { return false }
                return true
            }
            return false
        }
        while i < chars.count {
            let c = chars[i]
            // A licence plate: 京A12345, 粤B·D12345 (new-energy plates have six after the letter).
            if plateProvinces.contains(c), i + 1 < chars.count, chars[i + 1].isASCII, chars[i + 1].isUppercase {
                var k = i + 2
                var sep = ""
                if k < chars.count, chars[k] == "·" || chars[k] == " " { sep = String(chars[k]); k += 1 }
                var n = 0
                var digits = 0
                while k + n < chars.count, n < 6, isPlateChar(chars[k + n]) {
                    if isDigit(chars[k + n]) { digits += 1 }
                    n += 1
                }
                let followedByMore = k + n < chars.count && isPlateChar(chars[k + n])
                if n >= 5, digits > 0, !followedByMore {
                    out.append(c)
                    out.append(chars[i + 1])
                    out += sep + String(repeating: "*", count: n)
                    i = k + n
                    continue
                }
            }
            if isDigit(c) {
                // The run of digits, with single dashes or spaces between them (010-6512 3456).
                var k = i
                var run = ""
                var digits = ""
                while k < chars.count {
                    if isDigit(chars[k]) {
                        run.append(chars[k]); digits.append(chars[k]); k += 1
                    } else if (chars[k] == "-" || chars[k] == " "), k + 1 < chars.count, isDigit(chars[k + 1]), !digits.isEmpty {
                        run.append(chars[k]); k += 1
                    } else {
                        break
                    }
                }
                // An ID number ends in a digit or X.
                if digits.count == 17, run == digits, k < chars.count, chars[k] == "X" || chars[k] == "x" {
                    out += idNumber(digits + "X")
                    i = k + 1
                    continue
                }
                if digits.count == 18, run == digits {
                    out += idNumber(digits)
                } else if digits.count >= 7 {
                    out += phone(digits)
                } else if hasMarker(at: k) {
                    out += String(run.map { isDigit($0) ? "*" : $0 })
                } else {
                    out += run
                }
                i = k
                continue
            }
            if isFullwidthDigit(c) || chineseNumerals.contains(c) {
                var k = i
                while k < chars.count, isFullwidthDigit(chars[k]) || chineseNumerals.contains(chars[k]) { k += 1 }
                // 三单元, ５０１室; but 一个 or 十分 stay.
                if hasMarker(at: k) {
                    out += String(repeating: "*", count: k - i)
                } else {
                    out += String(chars[i..<k])
                }
                i = k
                continue
            }
            out.append(hide[i] ? "*" : c)
            i += 1
        }
        return out
    }
}
