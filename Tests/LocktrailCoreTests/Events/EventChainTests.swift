import LocktrailCore
import LocktrailCrypto
import Testing

@Suite("Event encoding and the hash chain")
struct EventChainTests {
    static func event(_ n: Int) -> Event {
        Event(
            key: "test:\(n)", kind: .lockAcquired, source: "test", mechanism: .dynamodb,
            time: .between(after: Timestamp(microsecondsSinceEpoch: 1_000_000), notAfter: Timestamp(microsecondsSinceEpoch: 2_000_000 + Int64(n))),
            observedAt: Timestamp(microsecondsSinceEpoch: 3_000_000), lockID: "id-\(n)", state: "b/k", workspace: "default",
            details: ["who": "alice@h", "n": .int(Int64(n))], raw: ["text": "{}"])
    }

    @Test("the canonical encoding is stable and independent of member order")
    func encoding() throws {
        let a = Self.event(1)
        var b = a
        b.details = ["n": 1, "who": "alice@h"]
        #expect(a.canonicalEncoding == b.canonicalEncoding)
        let text = String(decoding: a.canonicalEncoding, as: UTF8.self)
        #expect(
            text
                == #"{"details":{"n":1,"who":"alice@h"},"key":"test:1","kind":"lock.acquired","lock_id":"id-1","mechanism":"dynamodb","observed_at":"1970-01-01T00:00:03.000000Z","raw":{"text":"{}"},"source":"test","state":"b/k","time":{"after":"1970-01-01T00:00:01.000000Z","not_after":"1970-01-01T00:00:02.000001Z"},"v":2,"workspace":"default"}"#
        )
        #expect(a.canonicalEncoding == a.canonicalEncoding(in: .current))
        #expect(EventEncoding.current == .v2 && Event.encodingVersion == 2)
    }

    // An integer from 2^53 up is where the two encodings differ: v1 printed every digit.
    @Test(
        "each encoding writes its own version and number form",
        arguments: [
            (EventEncoding.v1, #"{"big":1152921504606846976,"frac":0.1,"n":[-4611686018427387904,1e+21,5e-7]}"#),
            (EventEncoding.v2, #"{"big":1152921504606847000,"frac":0.1,"n":[-4611686018427388000,1e+21,5e-7]}"#),
        ])
    func versions(_ encoding: EventEncoding, _ details: String) throws {
        var e = Self.event(1)
        e.details = ["big": .number(1152921504606846976), "frac": 0.1, "n": [.number(-4611686018427387904), 1e21, 5e-7]]
        let text = String(decoding: e.canonicalEncoding(in: encoding), as: UTF8.self)
        #expect(text.hasPrefix(#"{"details":"# + details + ","), "\(text)")
        #expect(text.contains(#","v":\#(encoding.rawValue),"#))
        #expect(
            EventChain.hash(previous: EventChain.genesis, event: e, encoding: encoding)
                == Digest.sha256(EventChain.genesis + e.canonicalEncoding(in: encoding)))
    }

    @Test("the version is hashed: the same event hashes differently in each encoding")
    func versionIsHashed() {
        let e = Self.event(1)  // no number where the forms differ
        #expect(
            EventChain.hash(previous: EventChain.genesis, event: e, encoding: .v1)
                != EventChain.hash(previous: EventChain.genesis, event: e, encoding: .v2))
    }

    @Test("NUL cannot reach storage: it is replaced before hashing")
    func nul() {
        let e = Event(
            key: "k\u{0}", kind: .lockAcquired, source: "s", time: .exact(Timestamp(microsecondsSinceEpoch: 0)),
            observedAt: Timestamp(microsecondsSinceEpoch: 0), details: ["a\u{0}": "b\u{0}"])
        #expect(e.key == "k\u{FFFD}")
        #expect(e.details["a\u{FFFD}"] == "b\u{FFFD}")
    }

    @Test("the chain hash is SHA-256 of the previous hash and the encoding")
    func hash() {
        let e = Self.event(1)
        #expect(EventChain.hash(previous: EventChain.genesis, event: e) == Digest.sha256(EventChain.genesis + e.canonicalEncoding))
    }

    static func links(_ count: Int) -> [ChainLink] {
        var previous = EventChain.genesis
        return (1...count).map { n in
            let h = EventChain.hash(previous: previous, event: event(n))
            defer { previous = h }
            return ChainLink(seq: Int64(n), storedPrevious: previous, storedHash: h, recomputedHash: h)
        }
    }

    static func verify(_ links: [ChainLink]) -> (ChainBreak?, ChainVerifier) {
        var v = ChainVerifier()
        for (i, link) in links.enumerated() {
            if let b = v.check(link, next: i + 1 < links.count ? links[i + 1] : nil) { return (b, v) }
        }
        return (nil, v)
    }

    @Test("an intact chain verifies")
    func intact() {
        let (b, v) = Self.verify(Self.links(10))
        #expect(b == nil)
        #expect(v.checked == 10)
    }

    @Test("an altered event is found where it is")
    func altered() {
        var links = Self.links(10)
        links[4].recomputedHash = Digest.sha256("something else")
        #expect(Self.verify(links).0?.kind == .altered)
        #expect(Self.verify(links).0?.seq == 5)
    }

    @Test("a removed event is found after the gap")
    func missing() {
        var links = Self.links(10)
        links.remove(at: 4)
        let b = Self.verify(links).0
        #expect(b?.kind == .missing)
        #expect(b?.seq == 6)
    }

    @Test("an inserted event is found", arguments: [false, true])
    func inserted(linkedToPrevious: Bool) {
        var links = Self.links(10)
        let fake = Digest.sha256("forged")
        var forged = ChainLink(
            seq: 5, storedPrevious: linkedToPrevious ? links[3].storedHash : Digest.sha256("x"), storedHash: fake, recomputedHash: fake)
        forged.seq = 5
        links.insert(forged, at: 4)
        for i in 5..<links.count { links[i].seq += 1 }
        let b = Self.verify(links).0
        #expect(b?.kind == .inserted)
        #expect(b?.seq == 5)
    }

    @Test("two swapped events are found")
    func reordered() {
        var links = Self.links(10)
        links.swapAt(3, 4)
        links[3].seq = 4
        links[4].seq = 5
        let b = Self.verify(links).0
        #expect(b?.kind == .reordered)
        #expect(b?.seq == 4)
    }
}
