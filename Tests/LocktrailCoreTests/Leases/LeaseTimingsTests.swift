import LocktrailCore
import Testing

@Suite("Lease timings")
struct LeaseTimingsTests {
    @Test(
        "a lease of max(interval, 15 s), renewed every third of it; takeover within two intervals, at least 30 s",
        arguments: [
            (interval: 30.0, override: nil, duration: 30.0, bound: 60.0),
            (interval: 5.0, override: nil, duration: 15.0, bound: 30.0),
            (interval: 120.0, override: nil, duration: 120.0, bound: 240.0),
            (interval: 0.5, override: 1.5, duration: 1.5, bound: 3.0),
        ] as [(interval: Double, override: Double?, duration: Double, bound: Double)])
    func timings(_ c: (interval: Double, override: Double?, duration: Double, bound: Double)) {
        let t = LeaseTimings(interval: c.interval, duration: c.override)
        #expect(t.duration == c.duration)
        #expect(t.renewEvery == c.duration / 3)
        #expect(t.takeoverBound == c.bound)
        if c.override == nil { #expect(t.takeoverBound >= max(2 * c.interval, 30)) }
    }
}
