/// How long a lease lasts and how often it is renewed or sought, from a source's poll interval.
///
/// The promise: when a source's owner dies or loses its database, another collector owns the
/// source within `takeoverBound` — two of the source's intervals, and at least 30 s. The lease
/// lasts half of that (`duration`); the owner renews it every third of a duration, on its own
/// schedule beside the cycles (so a long scan never outlives it), and every other collector asks
/// for it as often. An owner that dies has renewed at most a third of a duration before, so its
/// lease lapses at most two thirds of a duration after its death and the next attempt, at most a
/// third later, takes it: the source changes hands within one `duration` of the death, and the
/// new owner's first cycle starts at once.
public struct LeaseTimings: Hashable, Sendable {
    /// How long a lease lasts past each renewal, in seconds.
    public var duration: Double
    /// Seconds between renewals by the owner, and between attempts by the others.
    public var renewEvery: Double { duration / 3 }
    /// The promised takeover time, in seconds: twice the duration.
    public var takeoverBound: Double { 2 * duration }

    /// The timings of a source polled every `interval` seconds: a lease of `max(interval, 15 s)`,
    /// so takeover within `max(2 × interval, 30 s)`; `duration` overrides it (tests, or an
    /// operator who wants faster takeover at the cost of more renewals).
    public init(interval: Double, duration: Double? = nil) {
        self.duration = duration ?? max(interval, 15)
    }
}
