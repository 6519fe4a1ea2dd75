import Foundation
import Testing

@testable import HotlineCore

@Suite("UUID text without the C library")
struct UUIDTextTests {
    @Test("Written as Foundation writes it, read back in either case; anything else is refused")
    func roundTrip() {
        for _ in 0..<1000 {
            let u = UUID()
            #expect(u.text == u.uuidString)
            #expect(UUID(text: u.text) == u)
            #expect(UUID(text: u.text.lowercased()) == u)
        }
        for bad in ["", "not a uuid", "01A1FE3C-A777-7D45-98A3-B612723DDEC", "01A1FE3C-A777-7D45-98A3-B612723DDEC66", "01A1FE3CA7777D4598A3B612723DDEC6",
                    "01A1FE3C-A777-7D45-98A3_B612723DDEC6", "G1A1FE3C-A777-7D45-98A3-B612723DDEC6"] {
            #expect(UUID(text: bad) == nil, "\(bad)")
            #expect(UUID(uuidString: bad) == nil, "Foundation agrees on \(bad)")
        }
    }
}
