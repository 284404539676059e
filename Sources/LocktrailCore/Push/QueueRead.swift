/// How far a queue listener has read its SQS queue for one source it serves, as committed with
/// that source's events (or, for a source a receive had nothing for, on its own), before the
/// messages are deleted: the basis of the queue's push lag, `now − readThrough`.
///
/// An empty receive means the queue had nothing waiting: the source is caught up at the receive
/// (an idle queue whose listener polls has a lag of at most one long poll). A receive with messages
/// is read through the newest of them that SQS had not delivered before (a redelivered message says
/// nothing of what waits behind it). A message of this source whose cycle failed holds it back until
/// it is committed (`holdingBack`). A listener that stops receiving records nothing: the lag grows.
public struct QueueRead: Hashable, Sendable {
    /// One received message, as far as the lag is concerned.
    public struct Message: Hashable, Sendable {
        /// Its `SentTimestamp` (SQS's clock); nil if SQS did not send it.
        public var sentAt: Timestamp?
        /// Whether this is its first receive (`ApproximateReceiveCount` is 1 or missing).
        public var firstReceive: Bool
        /// The newest S3 `eventTime` among its notices, if any.
        public var newestEventAt: Timestamp?

        /// A message.
        public init(sentAt: Timestamp?, firstReceive: Bool = true, newestEventAt: Timestamp? = nil) {
            (self.sentAt, self.firstReceive, self.newestEventAt) = (sentAt, firstReceive, newestEventAt)
        }
    }

    /// The queue's URL, as configured.
    public var queue: String
    /// When the receive returned (the listener's clock).
    public var receivedAt: Timestamp
    /// Every message sent to the queue before this instant has been read and its events committed, as far as the listener can tell.
    public var readThrough: Timestamp
    /// Messages the receive returned (poison messages included).
    public var messages: Int
    /// The newest `SentTimestamp` among them.
    public var newestSentAt: Timestamp?
    /// The newest S3 `eventTime` among their notices.
    public var newestEventAt: Timestamp?

    /// A read.
    public init(
        queue: String, receivedAt: Timestamp, readThrough: Timestamp, messages: Int = 0, newestSentAt: Timestamp? = nil,
        newestEventAt: Timestamp? = nil
    ) {
        (self.queue, self.receivedAt, self.readThrough, self.messages) = (queue, receivedAt, readThrough, messages)
        (self.newestSentAt, self.newestEventAt) = (newestSentAt, newestEventAt)
    }

    /// The read of one receive of `queue` that returned `messages` at `receivedAt`.
    public init(queue: String, receivedAt: Timestamp, messages: [Message]) {
        let fresh = messages.filter(\.firstReceive)
        // SentTimestamp is SQS's clock: never later than the receive by the listener's.
        let frontier = fresh.compactMap { $0.sentAt ?? $0.newestEventAt }.max().map { min($0, receivedAt) }
        self.init(
            queue: queue, receivedAt: receivedAt, readThrough: frontier ?? receivedAt, messages: messages.count,
            newestSentAt: messages.compactMap(\.sentAt).max(), newestEventAt: messages.compactMap(\.newestEventAt).max())
    }

    /// This read, no further than `unsettled` (the oldest message of the source still to be committed), when there is one.
    public func holdingBack(to unsettled: Timestamp?) -> QueueRead {
        guard let unsettled, unsettled < readThrough else { return self }
        var read = self
        read.readThrough = unsettled
        return read
    }
}
