import LocktrailCore
import Testing

@Suite("Queue read (push lag of an SQS queue)")
struct QueueReadTests {
    static let at = Timestamp(parsing: "2026-12-01T12:00:00Z")!

    static func ago(_ seconds: Double) -> Timestamp { at.adding(seconds: -seconds) }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var messages: [QueueRead.Message]
        var readThrough: Timestamp
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "an empty receive: the queue had nothing waiting, caught up at the receive", messages: [], readThrough: at),
        Case(
            name: "messages: read through the newest one sent",
            messages: [.init(sentAt: ago(30)), .init(sentAt: ago(2)), .init(sentAt: ago(10))], readThrough: ago(2)),
        Case(
            name: "a backlog: every message old, the lag is the newest one's age",
            messages: [.init(sentAt: ago(600)), .init(sentAt: ago(590))], readThrough: ago(590)),
        Case(
            name: "only redelivered messages: they say nothing of what waits, nothing new waited",
            messages: [.init(sentAt: ago(300), firstReceive: false)], readThrough: at),
        Case(
            name: "a redelivered message beside new ones does not pull the frontier back or forward",
            messages: [.init(sentAt: ago(1), firstReceive: false), .init(sentAt: ago(40))], readThrough: ago(40)),
        Case(
            name: "SentTimestamp missing: the S3 eventTime stands in", messages: [.init(sentAt: nil, newestEventAt: ago(7))],
            readThrough: ago(7)),
        Case(
            name: "SQS's clock ahead of the listener's: never later than the receive", messages: [.init(sentAt: at.adding(seconds: 3))],
            readThrough: at),
    ]

    @Test("how far a receive reads the queue", arguments: cases)
    func readThrough(_ c: Case) {
        let read = QueueRead(queue: "q", receivedAt: Self.at, messages: c.messages)
        #expect(read.readThrough == c.readThrough)
        #expect(read.receivedAt == Self.at)
        #expect(read.messages == c.messages.count)
    }

    @Test("the newest SentTimestamp and eventTime are kept, redeliveries included")
    func newest() {
        let read = QueueRead(
            queue: "q", receivedAt: Self.at,
            messages: [
                .init(sentAt: Self.ago(1), firstReceive: false, newestEventAt: Self.ago(2)), .init(sentAt: Self.ago(9), newestEventAt: Self.ago(10)),
            ])
        #expect(read.newestSentAt == Self.ago(1))
        #expect(read.newestEventAt == Self.ago(2))
        #expect(read.readThrough == Self.ago(9))
    }

    @Test("a message of a failed cycle holds the source's read back until it is committed")
    func holdingBack() {
        let read = QueueRead(queue: "q", receivedAt: Self.at, messages: [])
        #expect(read.holdingBack(to: Self.ago(45)).readThrough == Self.ago(45))
        #expect(read.holdingBack(to: nil) == read)
        let behind = QueueRead(queue: "q", receivedAt: Self.at, messages: [.init(sentAt: Self.ago(100))])
        #expect(behind.holdingBack(to: Self.ago(45)).readThrough == Self.ago(100))  // never forward
    }
}
